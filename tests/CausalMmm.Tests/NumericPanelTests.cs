using CausalMmm.Data;

namespace CausalMmm.Tests;

public sealed class NumericPanelTests
{
    private static NumericPanel Make(double[] values, int length = 3) =>
        new(new[] { "a", "b" }, new[] { "spend", "gmv" }, 1, values, length, new[] { "size" }, new[] { 1.0, 2.0 });

    [Fact]
    public void Indexes_values_by_shop_time_and_node_and_slices_without_copying_wrongly()
    {
        double[] values = Enumerable.Range(0, 12).Select(i => (double)i).ToArray();
        NumericPanel panel = Make(values);
        Assert.Equal(7.0, panel[1, 0, 1]);
        Assert.Equal(2.0, panel.Context(1, 0));
        Assert.Equal(1, panel.TargetIndex);
        NumericPanel tail = panel.SliceTime(1, 2);
        Assert.Equal(panel[1, 2, 0], tail[1, 1, 0]);
        NumericPanel swapped = panel.SelectShops(new[] { 1, 0 });
        Assert.Equal(new[] { "b", "a" }, swapped.ShopIds);
        Assert.Equal(panel[1, 2, 1], swapped[0, 2, 1]);
        Assert.Equal(1.0, swapped.Context(1, 0));
    }

    [Fact]
    public void Rejects_non_finite_values_naming_the_series_shop_and_step()
    {
        double[] values = new double[12];
        values[panelIndex(shop: 1, time: 2, node: 1)] = double.NaN;
        var error = Assert.Throws<ArgumentException>(() => Make(values));
        Assert.Contains("'gmv'", error.Message);
        Assert.Contains("shop 'b'", error.Message);
        Assert.Contains("step 2", error.Message);

        static int panelIndex(int shop, int time, int node) => (shop * 3 + time) * 2 + node;
    }

    [Fact]
    public void Rejects_inconsistent_sizes_with_the_expected_count()
    {
        Assert.Contains("need 12", Assert.Throws<ArgumentException>(() => Make(new double[11])).Message);
        Assert.Throws<ArgumentException>(() => new NumericPanel(new[] { "a" }, new[] { "only" }, 1, new double[3], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Make(new double[12]).SliceTime(2, 2));
    }
}
