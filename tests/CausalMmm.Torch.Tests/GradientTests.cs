using CausalMmm.Torch;

namespace CausalMmm.Torch.Tests;

/// <summary>Every differentiable operation's autograd gradient against central finite differences, in float64.</summary>
public sealed class GradientTests
{
    private static readonly (double[], long[]) Matrix = (new[] { 0.3, -0.7, 1.2, 0.4, -1.1, 0.9 }, new long[] { 2, 3 });
    private static readonly (double[], long[]) Other = (new[] { -0.5, 0.8, 0.2, 1.3, 0.6, -0.4 }, new long[] { 2, 3 });
    private static readonly (double[], long[]) Positive = (new[] { 0.3, 0.7, 1.2, 0.4, 1.1, 0.9 }, new long[] { 2, 3 });

    public static TheoryData<string> UnaryCases => new()
    {
        "neg", "exp", "abs", "sigmoid", "tanh", "relu", "elu", "softplus", "softmax", "log_softmax", "clamp",
        "sum", "mean", "max", "norm", "sum_dim", "mean_dim", "max_dim", "reshape", "view", "permute", "transpose",
        "unsqueeze_squeeze", "expand", "narrow", "index_select", "gather", "clone", "contiguous", "add_scalar",
        "mul_scalar", "div_scalar", "rsub_scalar", "rdiv_scalar", "pow_scalar", "rpow_scalar",
    };

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void Unary_operation_gradient_matches_finite_differences(string op)
    {
        Func<Tensor, Tensor> f = op switch
        {
            "neg" => x => -x,
            "exp" => x => x.exp(),
            "abs" => x => x.abs(),
            "sigmoid" => x => x.sigmoid(),
            "tanh" => x => x.tanh(),
            "relu" => x => x.relu(),
            "elu" => x => x.elu(0.8),
            "softplus" => x => x.softplus(1.5),
            "softmax" => x => x.softmax(1),
            "log_softmax" => x => x.log_softmax(0),
            "clamp" => x => x.clamp(-0.6, 1.0),
            "sum" => x => x.sum(),
            "mean" => x => x.mean(),
            "max" => x => x.max(),
            "norm" => x => x.norm(),
            "sum_dim" => x => x.sum(0),
            "mean_dim" => x => x.mean(1, keepdim: true),
            "max_dim" => x => x.max(1).values,
            "reshape" => x => x.reshape(3, 2) * torch.tensor(new[] { 1.0, 2, 3, 4, 5, 6 }, new long[] { 3, 2 }),
            "view" => x => x.view(6).exp(),
            "permute" => x => x.permute(1, 0).tanh(),
            "transpose" => x => x.transpose(0, 1).matmul(x),
            "unsqueeze_squeeze" => x => x.unsqueeze(0).sigmoid().squeeze(0),
            "expand" => x => x.unsqueeze(0).expand(4, 2, 3).tanh(),
            "narrow" => x => x.narrow(1, 1, 2).exp(),
            "index_select" => x => x.index_select(1, torch.tensor(new[] { 2L, 0L, 2L })),
            "gather" => x => x.gather(1, torch.tensor(new[] { 1L, 1L, 0L, 2L }, new long[] { 2, 2 })),
            "clone" => x => x.clone() * x,
            "contiguous" => x => x.transpose(0, 1).contiguous().exp(),
            "add_scalar" => x => (x + 3) * x,
            "mul_scalar" => x => x * 2.5,
            "div_scalar" => x => x / 4,
            "rsub_scalar" => x => (1 - x) * x,
            "rdiv_scalar" => x => 2 / (x + 3),
            "pow_scalar" => x => x.pow(3),
            "rpow_scalar" => x => torch.pow(1.7, x),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
        };
        GradCheck.Run(inputs => f(inputs[0]), Matrix);
    }

    [Theory]
    [InlineData("log")]
    [InlineData("sqrt")]
    [InlineData("pow")]
    public void Positive_domain_operation_gradient_matches_finite_differences(string op)
    {
        switch (op)
        {
            case "log": GradCheck.Run(x => x[0].log(), Positive); break;
            case "sqrt": GradCheck.Run(x => x[0].sqrt(), Positive); break;
            case "pow": GradCheck.Run(x => x[0].pow(x[1]), Positive, Other); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }

    [Theory]
    [InlineData("add")]
    [InlineData("sub")]
    [InlineData("mul")]
    [InlineData("div")]
    [InlineData("maximum")]
    [InlineData("minimum")]
    [InlineData("where")]
    [InlineData("cat")]
    [InlineData("stack")]
    [InlineData("mse_loss")]
    public void Binary_operation_gradient_matches_finite_differences(string op)
    {
        Func<Tensor[], Tensor> f = op switch
        {
            "add" => x => x[0] + x[1],
            "sub" => x => x[0] - x[1],
            "mul" => x => x[0] * x[1],
            "div" => x => x[0] / (x[1] + 2),
            "maximum" => x => x[0].maximum(x[1]),
            "minimum" => x => x[0].minimum(x[1]),
            "where" => x => torch.where(x[0].gt(x[1]), x[0] * 2, x[1].exp()),
            "cat" => x => torch.cat(new[] { x[0], x[1].tanh() }, 1),
            "stack" => x => torch.stack(new[] { x[0], x[1] * x[0] }, 0),
            "mse_loss" => x => torch.nn.functional.mse_loss(x[0], x[1]),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
        };
        GradCheck.Run(f, Matrix, Other);
    }

    [Fact]
    public void Matmul_and_bmm_gradients_match_finite_differences()
    {
        GradCheck.Run(x => x[0].matmul(x[1]), Matrix, (new[] { 0.2, -0.3, 0.5, 0.1, -0.8, 0.6 }, new long[] { 3, 2 }));
        GradCheck.Run(x => x[0].bmm(x[1]),
            (new[] { 0.3, -0.7, 1.2, 0.4, -1.1, 0.9, 0.5, 0.2 }, new long[] { 2, 2, 2 }),
            (new[] { -0.5, 0.8, 0.2, 1.3, 0.6, -0.4, 0.1, 0.7 }, new long[] { 2, 2, 2 }));
    }

    [Fact]
    public void Linear_gradient_matches_finite_differences()
    {
        GradCheck.Run(x => torch.nn.functional.linear(x[0], x[1], x[2]),
            Matrix, (new[] { 0.2, -0.3, 0.5, 0.1, -0.8, 0.6 }, new long[] { 2, 3 }), (new[] { 0.1, -0.2 }, new long[] { 2 }));
    }

    [Fact]
    public void Gru_cell_gradient_matches_finite_differences()
    {
        var random = new Random(3);
        double[] R(int n) => Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        GradCheck.Run(x => torch.nn.functional.gru_cell(x[0], x[1], x[2], x[3], x[4], x[5]),
            (R(4), new long[] { 2, 2 }), (R(6), new long[] { 2, 3 }), (R(18), new long[] { 9, 2 }),
            (R(27), new long[] { 9, 3 }), (R(9), new long[] { 9 }), (R(9), new long[] { 9 }));
    }

    [Fact]
    public void Batch_norm_training_gradient_matches_finite_differences()
    {
        GradCheck.Run(x => torch.nn.functional.batch_norm(x[0], null, null, x[1], x[2], training: true),
            (new[] { 0.3, -0.7, 1.2, 0.4, -1.1, 0.9, 0.5, 0.2 }, new long[] { 4, 2 }),
            (new[] { 1.5, 0.5 }, new long[] { 2 }), (new[] { 0.1, -0.3 }, new long[] { 2 }));
    }

    [Fact]
    public void Elu_and_softplus_chain_through_an_mlp()
    {
        GradCheck.Run(x => torch.nn.functional.linear(torch.nn.functional.linear(x[0], x[1]).elu(), x[2]).softplus(),
            Matrix, (new[] { 0.2, -0.3, 0.5, 0.1, -0.8, 0.6, 0.4, 0.3, -0.2, 0.7, 0.1, 0.9 }, new long[] { 4, 3 }),
            (new[] { 0.5, -0.1, 0.3, 0.2 }, new long[] { 1, 4 }));
    }
}

[Collection(SerialNativeState.Name)]
public sealed class SeededGradientTests
{
    [Fact]
    public void Gumbel_softmax_gradient_matches_finite_differences_under_fixed_noise()
    {
        // Reseeding inside f fixes the Gumbel noise, so the sample is a smooth function of the logits.
        GradCheck.Run(x =>
        {
            torch.manual_seed(99);
            return torch.nn.functional.gumbel_softmax(x[0], tau: 0.7, dim: 1);
        }, (new[] { 0.3, -0.7, 1.2, 0.4, -1.1, 0.9 }, new long[] { 2, 3 }));
    }
}

public sealed class SequenceTests
{
    [Fact]
    public void Gru_sequence_equals_gru_cell_applied_step_by_step()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var cell = torch.nn.GRUCell(3, 4);
        Tensor x = torch.randn(5, 2, 3);
        Tensor h0 = torch.randn(2, 4);
        (Tensor all, Tensor last) = cell.forward_sequence(x, h0);
        Tensor h = h0;
        for (int t = 0; t < 5; t++)
        {
            h = cell.forward(x.narrow(0, t, 1).squeeze(0), h);
            Check.Close(h.to(ScalarType.Float64).ToArray<double>(), all.narrow(0, t, 1).squeeze(0), 1e-5);
        }
        Check.Close(h.to(ScalarType.Float64).ToArray<double>(), last, 1e-5);
    }

    [Fact]
    public void Gru_sequence_gradient_matches_finite_differences()
    {
        var random = new Random(5);
        double[] R(int n) => Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        GradCheck.Run(x => torch.nn.functional.gru_sequence(x[0], x[1], x[2], x[3], x[4], x[5]).output,
            (R(12), new long[] { 3, 2, 2 }), (R(4), new long[] { 2, 2 }), (R(12), new long[] { 6, 2 }),
            (R(12), new long[] { 6, 2 }), (R(6), new long[] { 6 }), (R(6), new long[] { 6 }));
    }
}
