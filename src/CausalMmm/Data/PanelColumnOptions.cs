namespace CausalMmm.Data;

/// <summary>
/// Which columns of an <c>IDataView</c> hold what: the shop and date keys and the role of each numeric column. The base of
/// every component's <c>Options</c>. A field left null is taken from the <see cref="MarketingSchema"/> the catalog was
/// created with (<c>mlContext.CausalMmm(schema)</c>), and otherwise inferred from column names (see
/// <see cref="MarketingSchema.InferRole"/>). A role list that is set is complete: inference adds no other column to it.
/// </summary>
public class PanelColumnOptions
{
    /// <summary>The column holding the shop (or brand, store, geo) id: Text or a number. Null tries shop_id, shop, store_id, store, geo.</summary>
    public string? ShopColumnName;

    /// <summary>The column holding the date: DateTime, a day number, or Text in the schema's date formats. Null tries ds, date, day, week.</summary>
    public string? DateColumnName;

    /// <summary>The target (GMV, sales): ML.NET's label. Null infers it (gmv, sales, revenue, conversions, y, target).</summary>
    public string? LabelColumnName;

    /// <summary>Media spend (or impressions) per channel. Null infers them (x0, x1, ..., names containing spend, cost or impression).</summary>
    public string[]? ChannelColumnNames;

    /// <summary>Series the channels act through (page views). Null infers them (pv, page_views, visits, clicks, sessions, uv).</summary>
    public string[]? MediatorColumnNames;

    /// <summary>Time-varying series known in advance (holidays, promotions, prices). Null infers them (holiday*, promo*, price*, event*).</summary>
    public string[]? CovariateColumnNames;

    /// <summary>Static per-shop attributes, repeated on every row of the shop. Null infers them (context*, ctx*).</summary>
    public string[]? ContextColumnNames;

    /// <summary>Channels allowed to go below zero (the synthetic benchmark's series); others must be non-negative.</summary>
    public string[]? UnconstrainedColumnNames;

    /// <summary>Copies the column settings of <paramref name="other"/> into this object (for options built from other options).</summary>
    public void CopyColumnsFrom(PanelColumnOptions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ShopColumnName = other.ShopColumnName;
        DateColumnName = other.DateColumnName;
        LabelColumnName = other.LabelColumnName;
        ChannelColumnNames = other.ChannelColumnNames?.ToArray();
        MediatorColumnNames = other.MediatorColumnNames?.ToArray();
        CovariateColumnNames = other.CovariateColumnNames?.ToArray();
        ContextColumnNames = other.ContextColumnNames?.ToArray();
        UnconstrainedColumnNames = other.UnconstrainedColumnNames?.ToArray();
    }
}
