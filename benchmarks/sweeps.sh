#!/usr/bin/env bash
# The studies behind the README's "Decoder choices" tables, so anyone can rerun them.
#   bash benchmarks/sweeps.sh options   # each decoder/training option alone, Sim 1 seed 1, 80 epochs (about 40 min on 2 cores)
#   bash benchmarks/sweeps.sh curve     # AUROC after 25, 50, 100, 200, 300 epochs, Sim 1 seed 1 (about 6 min)
# Every run is one `paper` benchmark call; its first lines print the exact command it stands for.
# The tables were measured with the window-MLP encoder, the softplus saturation input and no Granger scores in the
# encoder, so that is what runs unless ENCODER, SATURATION or GRANGER says otherwise:
#   ENCODER=PairConvolution SATURATION=Exponential GRANGER=true bash benchmarks/sweeps.sh curve
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
dotnet build -c Release benchmarks/CausalMmm.Benchmarks -v quiet -nologo >/dev/null
encoder="Encoder=${ENCODER:-WindowMlp},Saturation=${SATURATION:-Softplus},EncoderGrangerScores=${GRANGER:-false}"
paper() { dotnet run -c Release --no-build --project benchmarks/CausalMmm.Benchmarks -- paper --seeds 1 --simulations 1 --variants CausalMmm "$@" | grep -E "seed 1 CausalMMM"; }

case "${1:-}" in
  options)
    for setting in "" HiddenSize=64 HiddenSize=128 BatchSize=4 Messages=HiddenStates Messages=HiddenStatesAndValues \
                   Aggregation=SumOverNodes FeedbackSteps=5 EdgePrior=0.5 Variance=5e-7; do
      echo "### ${setting:-defaults}"
      paper --epochs 80 --set "$encoder${setting:+,$setting}"
    done ;;
  curve)
    for epochs in 25 50 100 200 300; do echo "### $epochs epochs"; paper --epochs "$epochs" --set "$encoder"; done ;;
  *)
    echo "usage: bash benchmarks/sweeps.sh options|curve" >&2; exit 2 ;;
esac
