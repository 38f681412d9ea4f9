using CausalMmm.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm;

/// <summary>
/// Base of this library's fitted components. They read a whole panel (carry-over, forecasts and graphs need a shop's other
/// rows), so they are not row-to-row mappers: <c>PredictionEngine</c> does not apply; call <see cref="Transform"/> on an
/// <see cref="IDataView"/> holding each shop's history. They persist through <c>mlContext.Model.SaveCausalMmm</c>.
/// Fitted parameters are typed properties of the concrete classes, also after loading. Safe to use from several threads.
/// </summary>
public abstract class PanelTransformerBase : ICausalMmmTransformer
{
    private protected PanelTransformerBase()
    {
    }

    /// <summary>False: every output value may depend on the shop's other rows.</summary>
    public bool IsRowToRowMapper => false;

    /// <inheritdoc />
    public abstract string ComponentKind { get; }

    /// <inheritdoc />
    public abstract int ComponentVersion { get; }

    /// <summary>The schema <see cref="Transform"/> returns for an input with <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentException">The input lacks a column the component was fitted with; the message names it.</exception>
    public abstract DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>
    /// Adds this component's columns to <paramref name="input"/>. Lazy like every ML.NET transform: the panel is read and
    /// computed on the first cursor that asks for an added column, so data errors (<c>PanelDataException</c>) surface then.
    /// </summary>
    public abstract IDataView Transform(IDataView input);

    /// <inheritdoc />
    public abstract void SaveState(ComponentStateWriter writer);

    /// <summary>Always throws: panel components are not row-to-row mappers.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException($"{GetType().Name} reads a shop's other rows (carry-over, forecasts, graphs), so it is not a row-to-row mapper and PredictionEngine cannot use it. Call Transform on an IDataView that holds each shop's history.");

    void ICanSaveModel.Save(ModelSaveContext ctx) => throw CausalMmmComponents.PlainSaveNotSupported(GetType().Name);
}
