using CausalMmm.Torch;

namespace CausalMmm.Torch.Tests;

public sealed class ForwardTests
{
    private static Tensor T(double[] data, params long[] shape) => torch.tensor(data, shape.Length == 0 ? null : shape);

    [Fact]
    public void Round_trips_every_supported_element_type_through_arrays()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Assert.Equal(new[] { 1.5f, -2f }, torch.tensor(new[] { 1.5f, -2f }).ToArray<float>());
        Assert.Equal(new[] { 1.25, 3.0 }, torch.tensor(new[] { 1.25, 3.0 }).ToArray<double>());
        Assert.Equal(new[] { 7L, -9L }, torch.tensor(new[] { 7L, -9L }).ToArray<long>());
        Assert.Equal(new[] { true, false }, torch.tensor(new[] { true, false }).ToArray<bool>());
        Assert.Equal(ScalarType.Float32, torch.tensor(new[] { 1f }).dtype);
        Assert.Equal(ScalarType.Float64, torch.tensor(new[] { 1.0 }).dtype);
        Assert.Equal(ScalarType.Int64, torch.tensor(new[] { 1L }).dtype);
        Assert.Equal(ScalarType.Bool, torch.tensor(new[] { true }).dtype);
        Tensor converted = torch.tensor(new[] { 1.7f, -2.2f }).to(ScalarType.Int64);
        Assert.Equal(new[] { 1L, -2L }, converted.ToArray<long>());
        Span<double> destination = stackalloc double[2];
        torch.tensor(new[] { 4f, 5f }).CopyTo(destination);
        Assert.Equal(5.0, destination[1]);
    }

    [Fact]
    public void Reports_shape_numel_device_and_item()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor t = torch.zeros(2, 3, 4);
        Assert.Equal(new long[] { 2, 3, 4 }, t.shape);
        Assert.Equal(3, t.ndim);
        Assert.Equal(24, t.numel());
        Assert.Equal(4, t.size(-1));
        Assert.Equal(Device.CPU, t.device);
        Assert.Equal(Device.CPU, t.to(Device.CPU).device);
        Assert.Equal(2.5, torch.scalar(2.5).item());
        Assert.Equal("Tensor[2x3x4, Float32, cpu]", t.ToString());
        Assert.Equal(new[] { 3.0, 3.0 }, torch.full(new long[] { 2 }, 3.0, ScalarType.Float64).ToArray<double>());
        Assert.Equal(new[] { 1f, 1f }, torch.ones(2).ToArray<float>());
        Assert.Equal(new[] { 2L, 3L, 4L }, torch.arange(2, 5).ToArray<long>());
    }

    [Fact]
    public void Arithmetic_operators_broadcast_like_numpy()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = T(new[] { 1.0, 2, 3, 4 }, 2, 2);
        Tensor row = T(new[] { 10.0, 20 }, 2);
        Check.Close(new[] { 11.0, 22, 13, 24 }, a + row);
        Check.Close(new[] { -9.0, -18, -7, -16 }, a - row);
        Check.Close(new[] { 10.0, 40, 30, 80 }, a * row);
        Check.Close(new[] { 0.1, 0.1, 0.3, 0.2 }, a / row);
        Check.Close(new[] { 3.0, 4, 5, 6 }, a + 2);
        Check.Close(new[] { 3.0, 4, 5, 6 }, 2 + a);
        Check.Close(new[] { 0.0, 1, 2, 3 }, a - 1);
        Check.Close(new[] { 9.0, 8, 7, 6 }, 10 - a);
        Check.Close(new[] { 2.0, 4, 6, 8 }, a * 2);
        Check.Close(new[] { 2.0, 4, 6, 8 }, 2 * a);
        Check.Close(new[] { 0.5, 1, 1.5, 2 }, a / 2);
        Check.Close(new[] { 12.0, 6, 4, 3 }, 12 / a);
        Check.Close(new[] { -1.0, -2, -3, -4 }, -a);
        Check.Close(new[] { 1.0, 4, 27, 256 }, a.pow(a));
        Check.Close(new[] { 1.0, 4, 9, 16 }, a.pow(2));
        Check.Close(new[] { 2.0, 4, 8, 16 }, torch.pow(2, a));
        Check.Close(new[] { 10.0, 20, 10, 20 }, a.maximum(row));
        Check.Close(new[] { 1.0, 2, 3, 4 }, a.minimum(row));
    }

    [Fact]
    public void Comparisons_produce_boolean_masks()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = T(new[] { 1.0, 2, 3 });
        Tensor b = T(new[] { 2.0, 2, 2 });
        Assert.Equal(new[] { false, true, false }, a.eq(b).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, a.gt(b).ToArray<bool>());
        Assert.Equal(new[] { true, false, false }, a.lt(b).ToArray<bool>());
        Assert.Equal(new[] { false, true, true }, a.ge(b).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, a.le(b).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, a.gt(2.5).ToArray<bool>());
        Assert.Equal(new[] { true, false, false }, a.lt(1.5).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, a.gt(2.5).logical_not().ToArray<bool>());
        Assert.Equal(new[] { true, false, false }, T(new[] { 1.0, double.NaN, double.PositiveInfinity }).isfinite().ToArray<bool>());
    }

    [Fact]
    public void Matmul_and_bmm_multiply_matrices()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = T(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        Tensor b = T(new[] { 7.0, 8, 9, 10, 11, 12 }, 3, 2);
        Check.Close(new[] { 58.0, 64, 139, 154 }, a.matmul(b));
        Check.Close(new[] { 58.0, 64, 139, 154 }, torch.matmul(a, b));
        Tensor batchA = torch.stack(new[] { a, a * 2 });
        Tensor batchB = torch.stack(new[] { b, b });
        Tensor product = batchA.bmm(batchB);
        Check.Shape(new long[] { 2, 2, 2 }, product);
        Check.Close(new[] { 58.0, 64, 139, 154, 116, 128, 278, 308 }, product);
    }

    [Fact]
    public void Unary_functions_match_their_definitions()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double[] x = { -2.0, -0.5, 0.0, 1.5 };
        Tensor t = T(x);
        Check.Close(x.Select(v => -v).ToArray(), t.neg());
        Check.Close(x.Select(Math.Exp).ToArray(), t.exp());
        Check.Close(x.Select(v => Math.Abs(v)).ToArray(), t.abs());
        Check.Close(x.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), t.sigmoid());
        Check.Close(x.Select(v => Math.Tanh(v)).ToArray(), t.tanh());
        Check.Close(x.Select(v => Math.Max(v, 0)).ToArray(), t.relu());
        Check.Close(x.Select(v => v > 0 ? v : 0.7 * (Math.Exp(v) - 1)).ToArray(), t.elu(0.7));
        Check.Close(x.Select(v => Math.Log(1 + Math.Exp(2 * v)) / 2).ToArray(), t.softplus(2.0));
        Check.Close(new[] { -1.0, -0.5, 0.0, 1.0 }, t.clamp(-1, 1));
        Check.Close(new[] { -0.5, -0.5, 0.0, 1.5 }, t.clamp_min(-0.5));
        Check.Close(new[] { -2.0, -0.5, 0.0, 0.5 }, t.clamp(max: 0.5));
        Tensor positive = T(new[] { 0.25, 4.0 });
        Check.Close(new[] { Math.Log(0.25), Math.Log(4) }, positive.log());
        Check.Close(new[] { 0.5, 2.0 }, positive.sqrt());
        Check.Close(x, t.clone());
        Check.Close(x, t.contiguous());
        Check.Close(x, t.detach());
    }

    [Fact]
    public void Softmax_and_log_softmax_normalise_over_a_dimension()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor logits = T(new[] { 1.0, 2, 3, 0, 0, 0 }, 2, 3);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        double[] expected = { Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z, 1 / 3.0, 1 / 3.0, 1 / 3.0 };
        Check.Close(expected, logits.softmax(1));
        Check.Close(expected.Select(v => Math.Log(v)).ToArray(), logits.log_softmax(-1));
        Check.Close(new[] { 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 }, T(new[] { 1.0, 1, 1, 1, 1, 1 }, 2, 3).softmax(0));
    }

    [Fact]
    public void Where_picks_elementwise_by_condition()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor condition = torch.tensor(new[] { true, false, true });
        Check.Close(new[] { 1.0, 20, 3 }, torch.where(condition, T(new[] { 1.0, 2, 3 }), T(new[] { 10.0, 20, 30 })));
    }

    [Fact]
    public void Reductions_sum_mean_and_max_over_dimensions()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = T(new[] { 1.0, 5, 3, 4, 2, 6 }, 2, 3);
        Assert.Equal(21.0, a.sum().item());
        Assert.Equal(3.5, a.mean().item());
        Assert.Equal(6.0, a.max().item());
        Assert.Equal(Math.Sqrt(91), a.norm().item(), 10);
        Check.Close(new[] { 5.0, 7, 9 }, a.sum(0));
        Check.Close(new[] { 9.0, 12 }, a.sum(1));
        Check.Shape(new long[] { 2, 1 }, a.sum(1, keepdim: true));
        Check.Close(new[] { 21.0 }, a.sum(new long[] { 0, 1 }, keepdim: true));
        Check.Close(new[] { 2.5, 3.5, 4.5 }, a.mean(0));
        Check.Close(new[] { 3.0, 4 }, a.mean(new long[] { 1 }));
        (Tensor values, Tensor indexes) = a.max(1);
        Check.Close(new[] { 5.0, 6 }, values);
        Assert.Equal(new[] { 1L, 2L }, indexes.ToArray<long>());
        Assert.Equal(new[] { 1L, 0L, 1L }, a.argmax(0).ToArray<long>());
        Check.Shape(new long[] { 1, 3 }, a.argmax(0, keepdim: true));
    }

    [Fact]
    public void Shape_functions_rearrange_without_changing_values()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = T(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        Check.Shape(new long[] { 3, 2 }, a.reshape(3, 2));
        Check.Close(new[] { 1.0, 2, 3, 4, 5, 6 }, a.reshape(-1));
        Check.Close(new[] { 1.0, 2, 3, 4, 5, 6 }, a.view(6));
        Check.Close(new[] { 1.0, 4, 2, 5, 3, 6 }, a.transpose(0, 1));
        Check.Close(new[] { 1.0, 4, 2, 5, 3, 6 }, a.permute(1, 0));
        Check.Shape(new long[] { 2, 1, 3 }, a.unsqueeze(1));
        Check.Shape(new long[] { 2, 3 }, a.unsqueeze(1).squeeze(1));
        Tensor expanded = T(new[] { 1.0, 2 }, 2, 1).expand(2, 3);
        Check.Close(new[] { 1.0, 1, 1, 2, 2, 2 }, expanded);
        Check.Close(new[] { 1.0, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6 }, torch.cat(new[] { a, a }, 0));
        Check.Shape(new long[] { 2, 6 }, torch.cat(new[] { a, a }, 1));
        Check.Shape(new long[] { 2, 2, 3 }, torch.stack(new[] { a, a }, 0));
        Check.Close(new[] { 2.0, 3, 5, 6 }, a.narrow(1, 1, 2));
        Check.Close(new[] { 3.0, 1, 6, 4 }, a.index_select(1, torch.tensor(new[] { 2L, 0L })));
        Check.Close(new[] { 3.0, 1, 4, 4 }, a.gather(1, torch.tensor(new[] { 2L, 0L, 0L, 0L }, new long[] { 2, 2 })));
    }

    [Fact]
    public void In_place_updates_change_the_tensor_itself()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = T(new[] { 1.0, 2 });
        Tensor b = T(new[] { 3.0, 4 });
        a.mul_(2);
        Check.Close(new[] { 2.0, 4 }, a);
        a.add_(b, 0.5);
        Check.Close(new[] { 3.5, 6 }, a);
        a.addcmul_(b, b, 2);
        Check.Close(new[] { 21.5, 38 }, a);
        a.addcdiv_(b, b, -1.5);
        Check.Close(new[] { 20.0, 36.5 }, a);
        a.copy_(b);
        Check.Close(new[] { 3.0, 4 }, a);
        a.zero_();
        Check.Close(new[] { 0.0, 0 }, a);
    }

    [Fact]
    public void Linear_computes_x_times_weight_transposed_plus_bias()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor x = T(new[] { 1.0, 2 }, 1, 2);
        Tensor w = T(new[] { 1.0, 0, 2, 3, -1, 1 }, 3, 2);
        Tensor bias = T(new[] { 0.5, 0, -1 });
        Check.Close(new[] { 1.5, 8, 0 }, torch.nn.functional.linear(x, w, bias));
        Check.Close(new[] { 1.0, 8, 1 }, torch.nn.functional.linear(x, w));
    }

    [Fact]
    public void Gru_cell_matches_the_gate_equations()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // input size 1, hidden size 1: gates r, z, n stacked in the weights.
        double x = 0.5, h = -0.3;
        double[] wih = { 0.2, -0.4, 0.7 }, whh = { 0.1, 0.3, -0.6 }, bih = { 0.05, -0.1, 0.2 }, bhh = { -0.02, 0.04, 0.1 };
        double r = Sigmoid(wih[0] * x + bih[0] + whh[0] * h + bhh[0]);
        double z = Sigmoid(wih[1] * x + bih[1] + whh[1] * h + bhh[1]);
        double n = Math.Tanh(wih[2] * x + bih[2] + r * (whh[2] * h + bhh[2]));
        double expected = (1 - z) * n + z * h;
        Tensor next = torch.nn.functional.gru_cell(T(new[] { x }, 1, 1), T(new[] { h }, 1, 1),
            T(wih, 3, 1), T(whh, 3, 1), T(bih), T(bhh));
        Check.Close(new[] { expected }, next, 1e-9);
    }

    [Fact]
    public void Batch_norm_normalises_with_batch_statistics_in_training_and_running_ones_in_eval()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor x = T(new[] { 1.0, 10, 3, 30 }, 2, 2);
        Tensor runningMean = torch.zeros(new long[] { 2 }, ScalarType.Float64);
        Tensor runningVar = torch.ones(new long[] { 2 }, ScalarType.Float64);
        Tensor y = torch.nn.functional.batch_norm(x, runningMean, runningVar, training: true, momentum: 0.5, eps: 0);
        Check.Close(new[] { -1.0, -1, 1, 1 }, y, 1e-9);
        // running mean <- 0.5 * 0 + 0.5 * batch mean; running var uses the unbiased batch variance.
        Check.Close(new[] { 1.0, 10 }, runningMean);
        Check.Close(new[] { 0.5 + 0.5 * 2, 0.5 + 0.5 * 200 }, runningVar);
        Tensor evaluated = torch.nn.functional.batch_norm(T(new[] { 1.0, 10 }, 1, 2), runningMean, runningVar, training: false, eps: 0);
        Check.Close(new[] { 0.0, 0 }, evaluated, 1e-9);
    }

    [Fact]
    public void Dropout_is_identity_in_eval_and_scales_survivors_in_training()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor x = torch.ones(new long[] { 10000 }, ScalarType.Float64);
        Check.Close(x.ToArray<double>(), torch.nn.functional.dropout(x, 0.3, training: false));
        double[] dropped = torch.nn.functional.dropout(x, 0.25, training: true).ToArray<double>();
        Assert.All(dropped, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75) < 1e-12));
        double keptFraction = dropped.Count(v => v != 0) / 10000.0;
        Assert.InRange(keptFraction, 0.72, 0.78);
    }

    [Fact]
    public void Mse_loss_is_the_mean_squared_difference()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Assert.Equal((1 + 4 + 0.25) / 3, torch.nn.functional.mse_loss(T(new[] { 1.0, 2, 3 }), T(new[] { 0.0, 0, 3.5 })).item(), 12);
    }

    [Fact]
    public void Gumbel_softmax_returns_distributions_and_hard_one_hot_samples()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor logits = T(new[] { 0.0, 5, 0, 3, 0, 0 }, 2, 3);
        double[] soft = torch.nn.functional.gumbel_softmax(logits, tau: 0.5).ToArray<double>();
        Assert.Equal(1.0, soft[0] + soft[1] + soft[2], 9);
        Assert.Equal(1.0, soft[3] + soft[4] + soft[5], 9);
        double[] hard = torch.nn.functional.gumbel_softmax(logits, tau: 0.5, hard: true).ToArray<double>();
        Assert.All(hard, v => Assert.True(v == 0 || v == 1));
        Assert.Equal(2.0, hard.Sum());
        Tensor noise = torch.gumbel_like(torch.zeros(new long[] { 20000 }, ScalarType.Float64));
        // The standard Gumbel distribution has mean equal to the Euler-Mascheroni constant.
        Assert.InRange(noise.mean().item(), 0.5772 - 0.03, 0.5772 + 0.03);
        Assert.Throws<ArgumentException>(() => torch.nn.functional.gumbel_softmax(logits, tau: 0));
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
}
