using CausalMmm.Torch;
using CausalMmm.Torch.Modules;

namespace CausalMmm.Torch.Tests;

public sealed class ModuleTests
{
    [Fact]
    public void Parameters_are_registered_with_dotted_names_and_record_gradients()
    {
        using var model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ELU(), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2, hasBias: false));
        string[] names = model.named_parameters().Select(p => p.name).ToArray();
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias", "3.weight" }, names);
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(new[] { "2.running_mean", "2.running_var" }, model.named_buffers().Select(b => b.name));
        Assert.Equal(7, model.state_dict().Count);
        Assert.Equal(new long[] { 4, 3 }, model.state_dict()["0.weight"].shape);
    }

    [Fact]
    public void Gru_cell_module_has_torch_shapes_and_steps_a_batch()
    {
        using var cell = torch.nn.GRUCell(5, 7);
        using DisposeScope scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 21, 5 }, cell.state_dict()["weight_ih"].shape);
        Assert.Equal(new long[] { 21, 7 }, cell.state_dict()["weight_hh"].shape);
        Tensor h = cell.forward(torch.randn(3, 5), torch.zeros(3, 7));
        Assert.Equal(new long[] { 3, 7 }, h.shape);
    }

    [Fact]
    public void Saving_and_loading_module_state_round_trips_bit_for_bit()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cmm-state-{Guid.NewGuid():N}.bin");
        try
        {
            using var source = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ELU(), torch.nn.BatchNorm1d(5), torch.nn.Linear(5, 3));
            using (torch.NewDisposeScope())
            {
                source.forward(torch.randn(10, 6)); // training mode: moves the running statistics off their defaults
            }
            source.save(path);
            using var target = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ELU(), torch.nn.BatchNorm1d(5), torch.nn.Linear(5, 3));
            target.load(path);
            foreach ((string name, Tensor value) in source.state_dict())
            {
                Tensor loaded = target.state_dict()[name];
                int[] want = value.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();
                int[] got = loaded.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();
                Assert.Equal(want, got);
            }
            source.eval();
            target.eval();
            using DisposeScope scope = torch.NewDisposeScope();
            Tensor x = torch.randn(4, 6);
            Assert.Equal(source.forward(x).ToArray<float>(), target.forward(x).ToArray<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Serializer_round_trips_every_dtype_and_refuses_damaged_files()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["f"] = torch.tensor(new[] { 1.5f, float.NaN, -0f }, new long[] { 3, 1 }),
            ["d"] = torch.tensor(new[] { Math.PI }),
            ["l"] = torch.tensor(new[] { long.MinValue, 3L }),
            ["b"] = torch.tensor(new[] { true, false, true }),
            ["s"] = torch.scalar(2.0),
        };
        using var stream = new MemoryStream();
        TensorSerializer.Write(stream, tensors);
        byte[] bytes = stream.ToArray();
        Dictionary<string, Tensor> back = TensorSerializer.Read(new MemoryStream(bytes));
        try
        {
            Assert.Equal(tensors.Keys.Order(), back.Keys.Order());
            Assert.Equal(new[] { 1.5f, float.NaN, -0f }.Select(BitConverter.SingleToInt32Bits), back["f"].ToArray<float>().Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(new long[] { 3, 1 }, back["f"].shape);
            Assert.Equal(Math.PI, back["d"].ToArray<double>()[0]);
            Assert.Equal(new[] { long.MinValue, 3L }, back["l"].ToArray<long>());
            Assert.Equal(new[] { true, false, true }, back["b"].ToArray<bool>());
            Assert.Empty(back["s"].shape);
        }
        finally
        {
            foreach (Tensor t in back.Values) t.Dispose();
        }
        Assert.Throws<InvalidDataException>(() => TensorSerializer.Read(new MemoryStream(bytes[..^5])));
        byte[] badMagic = (byte[])bytes.Clone();
        badMagic[0] = (byte)'X';
        Assert.Throws<InvalidDataException>(() => TensorSerializer.Read(new MemoryStream(badMagic)));
    }

    [Fact]
    public void Loading_a_state_dict_with_wrong_names_or_shapes_explains_the_mismatch()
    {
        using var model = torch.nn.Linear(3, 2);
        using DisposeScope scope = torch.NewDisposeScope();
        var wrongShape = new Dictionary<string, Tensor> { ["weight"] = torch.zeros(3, 3), ["bias"] = torch.zeros(2) };
        var shapeError = Assert.Throws<ArgumentException>(() => model.load_state_dict(wrongShape));
        Assert.Contains("weight", shapeError.Message);
        Assert.Contains("[3, 3]", shapeError.Message);
        var missing = new Dictionary<string, Tensor> { ["weight"] = torch.zeros(2, 3), ["extra"] = torch.zeros(1) };
        var nameError = Assert.Throws<ArgumentException>(() => model.load_state_dict(missing));
        Assert.Contains("missing [bias]", nameError.Message);
        Assert.Contains("unexpected [extra]", nameError.Message);
    }

    [Fact]
    public void Eval_mode_switches_dropout_and_batch_norm_for_the_whole_tree()
    {
        using var model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5));
        Assert.True(model.training);
        model.eval();
        Assert.All(model.named_children(), c => Assert.False(c.module.training));
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor x = torch.randn(4, 2);
        Assert.Equal(model.forward(x).ToArray<float>(), model.forward(x).ToArray<float>());
    }
}
