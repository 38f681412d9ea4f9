using CausalMmm.Torch;

namespace CausalMmm.Torch.Tests;

public sealed class ErrorTests
{
    [Fact]
    public void Shape_mismatch_surfaces_as_ArgumentException_with_libtorchs_message()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = torch.zeros(2, 3);
        Tensor b = torch.zeros(4, 5);
        var error = Assert.Throws<ArgumentException>(() => a.matmul(b));
        Assert.Contains("cmm_matmul", error.Message);
        Assert.Contains("2x3", error.Message);
        Assert.Contains("4x5", error.Message);
        Assert.DoesNotContain("frame #", error.Message);
    }

    [Fact]
    public void The_process_survives_ten_thousand_native_errors_in_a_row()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = torch.zeros(2, 3);
        Tensor b = torch.zeros(3, 4);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Throws<ArgumentException>(() => a + b);
        }
        Assert.Equal(new long[] { 2, 4 }, a.matmul(b).shape);
    }

    [Fact]
    public void Errors_are_classified_into_dotnet_exception_types()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor floats = torch.zeros(2, 2);
        Tensor indices = torch.tensor(new[] { 0L, 5L });
        Assert.Throws<ArgumentException>(() => floats.index_select(0, indices));
        Assert.Throws<ArgumentException>(() => floats.reshape(3, 3));
        Assert.Throws<ArgumentException>(() => floats.narrow(0, 1, 5));
        Assert.Throws<ArgumentException>(() => floats.softmax(4));
        Assert.Throws<ArgumentException>(() => torch.tensor(new[] { 1f, 2f }, new long[] { 3 }));
        var dtype = Assert.Throws<ArgumentException>(() => floats.matmul(torch.zeros(new long[] { 2, 2 }, ScalarType.Float64)));
        Assert.StartsWith("dtype:", dtype.Message);
        Assert.Throws<ArgumentException>(() => floats.item());
        Assert.Throws<ArgumentException>(() => torch.cat(Array.Empty<Tensor>()));
    }

    [Fact]
    public void Using_a_disposed_tensor_throws_ObjectDisposedException()
    {
        Tensor t = torch.zeros(2).DetachFromDisposeScope();
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.sum());
        Assert.Equal("Tensor[disposed]", t.ToString());
    }

    [Fact]
    public void Backward_through_a_tensor_that_records_no_graph_is_an_error_not_a_crash()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor t = torch.ones(3).sum();
        var error = Assert.Throws<ArgumentException>(() => t.backward());
        Assert.Contains("grad", error.Message);
    }

    [Fact]
    public void Bad_hyperparameters_are_rejected_with_a_named_argument()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor p = torch.zeros(new long[] { 2 }, ScalarType.Float32, requires_grad: true);
        Assert.Throws<ArgumentException>(() => torch.optim.Adam(new[] { p }, lr: -1));
        Assert.Throws<ArgumentException>(() => torch.optim.Adam(new[] { p }, beta1: 1.0));
        Assert.Throws<ArgumentException>(() => torch.optim.Adam(Array.Empty<Tensor>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.set_num_threads(0));
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
        Assert.Equal(new Device(DeviceType.CUDA, 1), Device.Parse("cuda:1"));
    }
}
