using CausalMmm.Torch;

namespace CausalMmm.Torch.Tests;

[Collection(SerialNativeState.Name)]
public sealed class ReproducibilityTests
{
    [Fact]
    public void The_same_seed_gives_identical_samples_and_a_different_seed_does_not()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        float[] Draw(ulong seed)
        {
            torch.manual_seed(seed);
            return torch.cat(new[] { torch.rand(50), torch.randn(50), torch.gumbel_like(torch.zeros(50)) }).ToArray<float>();
        }
        Assert.Equal(Draw(7), Draw(7));
        Assert.NotEqual(Draw(7), Draw(8));
    }

    [Fact]
    public void The_same_seed_gives_an_identical_training_run()
    {
        float[] Train()
        {
            torch.manual_seed(42);
            using var model = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ELU(), torch.nn.Dropout(0.2), torch.nn.Linear(16, 1));
            using var adam = torch.optim.Adam(model.parameters(), lr: 0.01);
            using DisposeScope scope = torch.NewDisposeScope();
            Tensor x = torch.randn(32, 3);
            Tensor y = x.sum(1, keepdim: true).tanh();
            for (int i = 0; i < 20; i++)
            {
                using DisposeScope step = torch.NewDisposeScope();
                adam.zero_grad();
                torch.nn.functional.mse_loss(model.forward(x), y).backward();
                adam.step();
            }
            return model.parameters().SelectMany(p => p.ToArray<float>()).ToArray();
        }
        Assert.Equal(Train(), Train());
    }
}
