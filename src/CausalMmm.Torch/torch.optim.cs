using CausalMmm.Torch.Optimizers;

namespace CausalMmm.Torch;

public static partial class torch
{
    /// <summary>Optimisers and learning-rate schedules.</summary>
    public static class optim
    {
        /// <summary>Adam over <paramref name="parameters"/>.</summary>
        public static Adam Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay);

        /// <summary>Learning-rate schedules.</summary>
        public static class lr_scheduler
        {
            /// <summary>Decays the learning rate by <paramref name="gamma"/> every <paramref name="step_size"/> epochs.</summary>
            public static StepLR StepLR(Optimizer optimizer, int step_size, double gamma = 0.1) => new(optimizer, step_size, gamma);
        }
    }
}
