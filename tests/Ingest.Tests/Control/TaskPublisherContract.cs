using System.Text.Json;
using System.Text.RegularExpressions;
using Ingest.Control;
using Ingest.Tests.Support;

namespace Ingest.Tests.Control;

/// <summary>
/// What a task publisher must do against a real worker (issue 27), the same on every broker: the message it sends is
/// one Celery's worker takes and runs. The signal is the worker's own log line for the task id, with a deadline.
/// </summary>
public abstract class TaskPublisherContract(FleetFixture fleet)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    /// <summary>The publisher under test, through the fixture's control.</summary>
    protected abstract ITaskPublisher Publisher(IFleetControl control);

    [Fact]
    public async Task Publish_AddWithArgs_WorkerRunsItToFive_Issue27()
    {
        var id = Guid.NewGuid().ToString();

        await Publisher(fleet.Control).PublishAsync(new TaskMessage(id, "celery_app.add", Json("[2, 3]"), Json("{}"), fleet.First.Queue), CancellationToken.None);

        await SucceededWithAsync(id, "5");
    }

    [Fact]
    public async Task Publish_AddWithKwargs_WorkerRunsItToFive_Issue27()
    {
        var id = Guid.NewGuid().ToString();

        await Publisher(fleet.Control).PublishAsync(new TaskMessage(id, "celery_app.add", Json("[]"), Json("""{"x": 2, "y": 3}"""), fleet.First.Queue), CancellationToken.None);

        await SucceededWithAsync(id, "5");
    }

    [Fact]
    public async Task Publish_ArgumentsOverTheCap_RefusedBeforeTheBroker_Issue27()
    {
        var huge = JsonSerializer.Serialize(new[] { new string('x', CeleryTaskMessage.MaxBodyBytes) });

        var refused = await Assert.ThrowsAsync<ArgumentException>(() =>
            Publisher(fleet.Control).PublishAsync(new TaskMessage(Guid.NewGuid().ToString(), "celery_app.add", Json(huge), Json("{}"), fleet.First.Queue), CancellationToken.None));

        Assert.Contains("over 1048576 bytes", refused.Message, StringComparison.Ordinal);
    }

    private async Task SucceededWithAsync(string id, string result)
    {
        var worker = fleet.First;
        await Wait.ForAsync(worker.LineAsync($"Task celery_app.add[{id}] succeeded in"), $"the worker to run {id}", s_deadline);
        Assert.Matches(new Regex($@"Task celery_app\.add\[{id}\] succeeded in [0-9.e-]+s: {result}\r?$", RegexOptions.Multiline), worker.Output);
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
