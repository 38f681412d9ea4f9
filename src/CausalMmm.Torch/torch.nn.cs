using CausalMmm.Torch.Interop;
using CausalMmm.Torch.Modules;
using static CausalMmm.Torch.Interop.NativeMethods;

namespace CausalMmm.Torch;

public static partial class torch
{
    /// <summary>Neural-network layers (as factories, PyTorch style) and their functional forms.</summary>
    public static partial class nn
    {
        /// <summary>A fully connected layer y = x W^T + b.</summary>
        public static Linear Linear(long inputSize, long outputSize, bool hasBias = true) => new(inputSize, outputSize, hasBias);

        /// <summary>One step of a gated recurrent unit.</summary>
        public static GRUCell GRUCell(long inputSize, long hiddenSize, bool bias = true) => new(inputSize, hiddenSize, bias);

        /// <summary>Batch normalisation over the feature dimension of [N, C] or [N, C, L] input.</summary>
        public static BatchNorm1d BatchNorm1d(long features, double eps = 1e-5, double momentum = 0.1) => new(features, eps, momentum);

        /// <summary>Zeroes elements with probability <paramref name="p"/> in training, scaling the rest.</summary>
        public static Dropout Dropout(double p = 0.5) => new(p);

        /// <summary>The exponential linear unit as a layer.</summary>
        public static ELU ELU(double alpha = 1.0) => new(alpha);

        /// <summary>Applies layers in order.</summary>
        public static Sequential Sequential(params Module<Tensor, Tensor>[] layers) => new(layers);

        /// <summary>Functional forms of the layers and activations.</summary>
        public static class functional
        {
            /// <summary>input @ weight^T + bias.</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) =>
                WithOptional(bias, b => Tensor.FromStatus(cmm_linear(Tensor.Checked(input).Handle, Tensor.Checked(weight).Handle, b, out IntPtr r), r));

            /// <summary>One GRU step with PyTorch's gate layout (reset, update, new).</summary>
            public static Tensor gru_cell(Tensor input, Tensor hx, Tensor weightIh, Tensor weightHh, Tensor? biasIh = null, Tensor? biasHh = null) =>
                WithOptional(biasIh, biasHh, (bi, bh) => Tensor.FromStatus(
                    cmm_gru_cell(Tensor.Checked(input).Handle, Tensor.Checked(hx).Handle, Tensor.Checked(weightIh).Handle, Tensor.Checked(weightHh).Handle, bi, bh, out IntPtr r), r));

            /// <summary>
            /// A single-layer GRU over a whole sequence in one native call: input [T, N, I], initial state [N, H];
            /// returns every step's state [T, N, H] and the last state [N, H]. Uses the <see cref="gru_cell"/> parameter layout.
            /// </summary>
            public static (Tensor output, Tensor last) gru_sequence(Tensor input, Tensor h0, Tensor weightIh, Tensor weightHh, Tensor? biasIh = null, Tensor? biasHh = null)
            {
                IntPtr output = IntPtr.Zero, last = IntPtr.Zero;
                WithOptional(biasIh, biasHh, (bi, bh) =>
                {
                    NativeStatus.Check(cmm_gru_sequence(Tensor.Checked(input).Handle, Tensor.Checked(h0).Handle, Tensor.Checked(weightIh).Handle, Tensor.Checked(weightHh).Handle, bi, bh, out output, out last));
                    return null!;
                });
                return (new Tensor(output), new Tensor(last));
            }

            /// <summary>Batch normalisation over dim 1; in training the running statistics are updated in place.</summary>
            public static Tensor batch_norm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                WithOptional(weight, bias, (w, b) => WithOptional(runningMean, runningVar, (m, v) => Tensor.FromStatus(
                    cmm_batch_norm(Tensor.Checked(input).Handle, w, b, m, v, training ? 1 : 0, momentum, eps, out IntPtr r), r)));

            /// <summary>Dropout with probability <paramref name="p"/>; the identity when not training.</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true) =>
                Tensor.FromStatus(cmm_dropout(Tensor.Checked(input).Handle, p, training ? 1 : 0, out IntPtr r), r);

            /// <summary>Mean squared error between <paramref name="input"/> and <paramref name="target"/>.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target) =>
                Tensor.FromStatus(cmm_mse_loss(Tensor.Checked(input).Handle, Tensor.Checked(target).Handle, out IntPtr r), r);

            /// <summary>Exponential linear unit.</summary>
            public static Tensor elu(Tensor x, double alpha = 1.0) => Tensor.Checked(x).elu(alpha);

            /// <summary>Smooth approximation of relu.</summary>
            public static Tensor softplus(Tensor x, double beta = 1.0, double threshold = 20.0) => Tensor.Checked(x).softplus(beta, threshold);

            /// <summary>Softmax over <paramref name="dim"/>.</summary>
            public static Tensor softmax(Tensor x, long dim) => Tensor.Checked(x).softmax(dim);

            /// <summary>Log-softmax over <paramref name="dim"/>.</summary>
            public static Tensor log_softmax(Tensor x, long dim) => Tensor.Checked(x).log_softmax(dim);

            /// <summary>
            /// A differentiable sample from the Gumbel-softmax (concrete) distribution over <paramref name="dim"/>:
            /// softmax((logits + Gumbel noise) / tau). With <paramref name="hard"/>, the forward value is one-hot and
            /// the gradient is the soft sample's (straight-through).
            /// </summary>
            /// <exception cref="ArgumentException">tau is not positive.</exception>
            public static Tensor gumbel_softmax(Tensor logits, double tau = 1.0, bool hard = false, long dim = -1) =>
                Tensor.FromStatus(cmm_gumbel_softmax(Tensor.Checked(logits).Handle, tau, hard ? 1 : 0, dim, out IntPtr r), r);
        }

        /// <summary>Helpers over parameter collections.</summary>
        public static class utils
        {
            /// <summary>
            /// Rescales the gradients of <paramref name="parameters"/> in place so their joint L2 norm is at most
            /// <paramref name="maxNorm"/>; returns the norm before clipping (NaN or infinity when a gradient is not finite).
            /// </summary>
            public static double clip_grad_norm_(IEnumerable<Tensor> parameters, double maxNorm)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm);
                using DisposeScope scope = NewDisposeScope();
                using IDisposable noGrad = no_grad();
                var grads = new List<Tensor>();
                double squared = 0;
                foreach (Tensor p in parameters)
                {
                    Tensor? g = p.grad();
                    if (g is null) continue;
                    grads.Add(g);
                    double n = g.norm().item();
                    squared += n * n;
                }
                double total = Math.Sqrt(squared);
                if (double.IsFinite(total) && total > maxNorm)
                {
                    double factor = maxNorm / (total + 1e-6);
                    foreach (Tensor g in grads) g.mul_(factor);
                }
                return total;
            }
        }
    }

    private static Tensor WithOptional(Tensor? a, Func<IntPtr, Tensor> call)
    {
        bool added = false;
        try
        {
            a?.Handle.DangerousAddRef(ref added);
            return call(a is null ? IntPtr.Zero : a.Handle.DangerousGetHandle());
        }
        finally
        {
            if (added) a!.Handle.DangerousRelease();
        }
    }

    private static Tensor WithOptional(Tensor? a, Tensor? b, Func<IntPtr, IntPtr, Tensor> call) =>
        WithOptional(a, pa => WithOptional(b, pb => call(pa, pb)));
}
