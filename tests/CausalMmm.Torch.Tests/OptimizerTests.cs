using CausalMmm.Torch;

namespace CausalMmm.Torch.Tests;

public sealed class OptimizerTests
{
    [Fact]
    public void Adam_minimises_a_quadratic()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // f(x) = sum(a * (x - c)^2) with its minimum at c.
        Tensor a = torch.tensor(new[] { 1.0, 4.0, 0.5 });
        Tensor c = torch.tensor(new[] { 3.0, -2.0, 0.7 });
        Tensor x = torch.zeros(new long[] { 3 }, ScalarType.Float64, requires_grad: true);
        using var adam = torch.optim.Adam(new[] { x }, lr: 0.1);
        double first = double.NaN, last = double.NaN;
        for (int i = 0; i < 500; i++)
        {
            using DisposeScope step = torch.NewDisposeScope();
            adam.zero_grad();
            Tensor loss = (a * (x - c).pow(2)).sum();
            if (i == 0) first = loss.item();
            last = loss.item();
            loss.backward();
            adam.step();
        }
        Assert.True(last < 1e-4 * first, $"loss went from {first} to {last}");
        Check.Close(new[] { 3.0, -2.0, 0.7 }, x, 1e-2);
        Assert.Equal(500, adam.StepCount);
    }

    [Fact]
    public void Adam_first_step_moves_each_parameter_by_the_learning_rate_against_its_gradient_sign()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor x = torch.tensor(new[] { 1.0, -1.0 }, requires_grad: true);
        using var adam = torch.optim.Adam(new[] { x }, lr: 0.05);
        (x * torch.tensor(new[] { 3.0, -0.2 })).sum().backward();
        adam.step();
        // With bias correction the first update is lr * g / (|g| + eps) = lr * sign(g).
        Check.Close(new[] { 0.95, -0.95 }, x, 1e-6);
    }

    [Fact]
    public void Adam_weight_decay_pulls_parameters_towards_zero()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor x = torch.tensor(new[] { 2.0 }, requires_grad: true);
        using var adam = torch.optim.Adam(new[] { x }, lr: 0.05, weight_decay: 1.0);
        for (int i = 0; i < 200; i++)
        {
            using DisposeScope step = torch.NewDisposeScope();
            adam.zero_grad();
            (x * 0.0).sum().backward();
            adam.step();
        }
        Assert.InRange(x.item(), -0.1, 0.1);
    }

    [Fact]
    public void StepLR_multiplies_the_learning_rate_by_gamma_every_step_size_epochs()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor x = torch.zeros(new long[] { 1 }, ScalarType.Float32, requires_grad: true);
        using var adam = torch.optim.Adam(new[] { x }, lr: 0.4);
        var schedule = torch.optim.lr_scheduler.StepLR(adam, step_size: 2, gamma: 0.5);
        var seen = new List<double>();
        for (int epoch = 0; epoch < 6; epoch++)
        {
            seen.Add(adam.LearningRate);
            schedule.step();
        }
        Assert.Equal(new[] { 0.4, 0.4, 0.2, 0.2, 0.1, 0.1 }, seen);
    }

    [Fact]
    public void Clip_grad_norm_rescales_gradients_to_the_limit_and_returns_the_old_norm()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = torch.tensor(new[] { 1.0, 1.0 }, requires_grad: true);
        Tensor b = torch.tensor(new[] { 1.0 }, requires_grad: true);
        (a * torch.tensor(new[] { 3.0, 0.0 })).sum().add((b * 4).sum()).backward();
        double norm = torch.nn.utils.clip_grad_norm_(new[] { a, b }, 1.0);
        Assert.Equal(5.0, norm, 9);
        Check.Close(new[] { 0.6, 0.0 }, a.grad()!, 1e-5);
        Check.Close(new[] { 0.8 }, b.grad()!, 1e-5);
    }
}
