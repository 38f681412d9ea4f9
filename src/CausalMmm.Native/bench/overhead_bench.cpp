// Direct-C++ side of the binding overhead benchmark (run by benchmarks/CausalMmm.Benchmarks).
// Runs the same operations as the managed side on the same libtorch and prints one line per case:
//   <case> <nanoseconds per iteration in the fastest round>
// The fastest round is the figure least disturbed by other work on a shared machine.
// Usage: cmm_overhead_bench <threads> <rounds> <iterations-per-round>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace {

double best_ns_per_iteration(int rounds, int iterations, const std::function<void()>& body) {
  for (int i = 0; i < iterations; ++i) body();  // warm-up: allocator caches, lazy kernel init
  std::vector<double> samples;
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) body();
    auto stop = std::chrono::steady_clock::now();
    samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / iterations);
  }
  return *std::min_element(samples.begin(), samples.end());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <threads> <rounds> <iterations-per-round>\n", argv[0]);
    return 2;
  }
  const int threads = std::atoi(argv[1]);
  const int rounds = std::atoi(argv[2]);
  const int iterations = std::atoi(argv[3]);
  at::set_num_threads(threads);
  at::manual_seed(0);
  c10::AutoGradMode no_grad(false);

  auto a = at::randn({64, 64});
  auto b = at::randn({64, 64});
  std::printf("matmul_64x64 %.1f\n", best_ns_per_iteration(rounds, iterations, [&] {
                auto c = at::matmul(a, b);
              }));

  auto x = at::randn({64, 256});
  auto h = at::randn({64, 256});
  auto w_ih = at::randn({768, 256}) * 0.05;
  auto w_hh = at::randn({768, 256}) * 0.05;
  auto b_ih = at::randn({768}) * 0.05;
  auto b_hh = at::randn({768}) * 0.05;
  std::printf("gru_cell_b64_h256 %.1f\n", best_ns_per_iteration(rounds, iterations, [&] {
                auto next = at::gru_cell(x, h, w_ih, w_hh, b_ih, b_hh);
              }));

  // The same 20-operation chain as the managed side: 5 x (add, mul, tanh, sigmoid).
  std::printf("elementwise_chain_20 %.1f\n", best_ns_per_iteration(rounds, iterations, [&] {
                at::Tensor y = a;
                for (int k = 0; k < 5; ++k) {
                  y = at::add(y, b);
                  y = at::mul(y, b);
                  y = at::tanh(y);
                  y = at::sigmoid(y);
                }
              }));
  return 0;
}
