using PuppeteerSharp;

namespace CausalMmm.Tests.Cli;

/// <summary>The HTML report opened in headless Chromium, offline: every section there, charts drawn, no console errors, not blank.</summary>
public sealed class ReportBrowserTests : IDisposable
{
    private static readonly string[] Sections = { "summary", "graphs", "fit", "metrics", "contributions", "curves", "roi", "allocation" };
    private readonly string _dir = Directory.CreateTempSubdirectory("causalmmm-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [ChromiumFact]
    public async Task The_report_opens_offline_with_every_section_and_no_console_errors()
    {
        Assert.Equal(0, CliRunner.Run(_dir, "sample -o shops.csv --shops 3 --length 60 --quiet").Code);
        Assert.Equal(0, CliRunner.Run(_dir, "fit shops.csv --holdout 7 --epochs 3 --quiet -o model.zip").Code);
        (int code, _, string stderr) = CliRunner.Run(_dir, "report model.zip shops.csv --samples 3 --baseline-epochs 3 --quiet -o report.html");
        Assert.True(code == 0, stderr);
        string report = Path.Combine(_dir, "report.html");

        await using IBrowser browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage" },
        });
        await using IPage page = await browser.NewPageAsync();
        var errors = new List<string>();
        var external = new List<string>();
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error) errors.Add(e.Message.Text);
        };
        page.PageError += (_, e) => errors.Add(e.Message);
        page.Request += (_, e) =>
        {
            if (!e.Request.Url.StartsWith("file:", StringComparison.Ordinal) && !e.Request.Url.StartsWith("data:", StringComparison.Ordinal)) external.Add(e.Request.Url);
        };
        await page.SetViewportAsync(new ViewPortOptions { Width = 1200, Height = 900 });
        await page.GoToAsync(new Uri(report).AbsoluteUri, WaitUntilNavigation.Load);

        Assert.Empty(errors);
        Assert.Empty(external); // self-contained: no CDN, no network
        foreach (string id in Sections) Assert.NotNull(await page.QuerySelectorAsync($"section#{id} h2"));
        int charts = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('.chart').length");
        int drawn = await page.EvaluateExpressionAsync<int>("Array.from(document.querySelectorAll('.chart')).filter(c => c.querySelector('svg.main-svg .plot path, svg.main-svg .plot rect')).length");
        Assert.True(charts >= 5, $"{charts} charts");
        Assert.Equal(charts, drawn); // every chart has plotted marks, not just an empty frame
        Assert.Equal(3, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#graphs figure svg').length"));
        Assert.Equal(9, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#metrics tbody tr').length")); // CausalMMM, five baselines and three naive forecasts
        Assert.Contains("last value", await page.EvaluateExpressionAsync<string>("document.querySelector('#metrics').innerText"));

        // Not blank: the variance of the screenshot's grey levels, measured by the browser itself.
        string png = await page.ScreenshotBase64Async(new ScreenshotOptions { FullPage = true });
        double variance = await page.EvaluateFunctionAsync<double>(@"async data => {
            const image = new Image();
            image.src = 'data:image/png;base64,' + data;
            await image.decode();
            const canvas = document.createElement('canvas');
            canvas.width = image.width; canvas.height = image.height;
            const context = canvas.getContext('2d');
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let sum = 0, squares = 0, count = 0;
            for (let i = 0; i < pixels.length; i += 4 * 7) { const v = (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3; sum += v; squares += v * v; count++; }
            const mean = sum / count;
            return squares / count - mean * mean;
        }", png);
        Assert.True(variance > 200, $"the screenshot's grey-level variance is {variance}: the page looks blank");
        Assert.Empty(errors);
    }
}
