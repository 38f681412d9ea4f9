using System.Diagnostics;
using CausalMmm.Torch;

namespace CausalMmm.Torch.Tests;

[Collection(SerialNativeState.Name)]
public sealed class MemoryTests
{
    [Fact]
    public void One_hundred_thousand_operations_in_dispose_scopes_leave_no_live_handles_and_flat_memory()
    {
        long managedBefore = torch.LiveTensorCount;
        long nativeBefore = torch.NativeLiveTensorCount;
        using (torch.NewDisposeScope())
        {
            Tensor w = torch.randn(32, 32);
            Tensor x = torch.randn(8, 32);
            RunOperations(w, x, 5_000); // warm up the allocator before measuring
            long rssBefore = ResidentBytes();
            RunOperations(w, x, 100_000);
            long growth = ResidentBytes() - rssBefore;
            Assert.True(growth < 64L << 20, $"resident memory grew by {growth >> 20} MiB over 100,000 operations");
        }
        Assert.Equal(managedBefore, torch.LiveTensorCount);
        Assert.Equal(nativeBefore, torch.NativeLiveTensorCount);
    }

    [Fact]
    public void Results_moved_out_of_a_scope_survive_it_and_are_freed_by_the_outer_one()
    {
        long before = torch.LiveTensorCount;
        Tensor kept;
        using (DisposeScope outer = torch.NewDisposeScope())
        {
            using (DisposeScope inner = torch.NewDisposeScope())
            {
                Tensor temporary = torch.ones(3) * 2;
                kept = (temporary + 1).MoveToOuterDisposeScope();
                Assert.Equal(1, outer.Count);
                Assert.Equal(2, inner.Count);
            }
            Assert.False(kept.IsDisposed);
            Assert.Equal(new[] { 3f, 3f, 3f }, kept.ToArray<float>());
            Assert.Equal(before + 1, torch.LiveTensorCount);
        }
        Assert.True(kept.IsDisposed);
        Assert.Equal(before, torch.LiveTensorCount);
    }

    [Fact]
    public void Closing_scopes_out_of_order_is_reported()
    {
        DisposeScope outer = torch.NewDisposeScope();
        DisposeScope inner = torch.NewDisposeScope();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void A_disposed_module_and_optimizer_release_all_their_tensors()
    {
        long before = torch.NativeLiveTensorCount;
        using (var model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ELU(), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 1)))
        using (var adam = torch.optim.Adam(model.parameters()))
        using (torch.NewDisposeScope())
        {
            for (int i = 0; i < 3; i++)
            {
                using DisposeScope step = torch.NewDisposeScope();
                adam.zero_grad();
                model.forward(torch.randn(16, 4)).pow(2).mean().backward();
                adam.step();
            }
            Assert.True(torch.NativeLiveTensorCount > before);
        }
        Assert.Equal(before, torch.NativeLiveTensorCount);
    }

    private static void RunOperations(Tensor w, Tensor x, int count)
    {
        int done = 0;
        while (done < count)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            Tensor h = x.matmul(w).tanh();
            Tensor y = (h * 0.5 + h.sigmoid()).sum(1);
            Tensor z = y.softmax(0).log();
            done += 7;
            _ = z;
        }
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }
}
