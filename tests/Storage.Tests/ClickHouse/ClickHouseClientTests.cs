using System.Net;
using System.Net.Sockets;
using System.Text;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Writing;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>The HTTP client against the real server: answers, errors with their codes, and which errors a retry may cure.</summary>
public sealed class ClickHouseClientTests : IDisposable
{
    private readonly ClickHouseClient _client = ClickHouseTestServer.FreshClient();

    [Fact]
    public void Query_Select_ReturnsTheAnswer() =>
        Assert.Equal("2\n", _client.Query("SELECT 1 + 1 FORMAT TabSeparated"));

    [Fact]
    public void Insert_JsonEachRow_RowsAreStored()
    {
        _client.Query("CREATE TABLE t (id String, n Nullable(Float64)) ENGINE = MergeTree ORDER BY id");

        _client.Insert("t", Encoding.UTF8.GetBytes("{\"id\":\"a\\u0000'\",\"n\":null}\n{\"id\":\"b\",\"n\":1.5}\n"));

        Assert.Equal("610027\t\\N\n62\t1.5\n", _client.Query("SELECT hex(id), n FROM t ORDER BY id FORMAT TabSeparated"));
    }

    [Fact]
    public void Query_SyntaxError_ThrowsWithCodeAndMessageAsAFaultOfTheRequest()
    {
        var e = Assert.Throws<ClickHouseException>(() => _client.Query("SELEC 1"));

        Assert.Equal(62, e.Code);
        Assert.StartsWith("Syntax error", e.ServerMessage, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
        Assert.Equal(StorageFault.None, StorageFaultClassifier.Classify(e));
    }

    [Fact]
    public void Insert_ValueTheServerCannotParse_IsAFaultOfTheRequest()
    {
        _client.Query("CREATE TABLE t (id String) ENGINE = MergeTree ORDER BY id");

        var e = Assert.Throws<ClickHouseException>(() => _client.Insert("t", Encoding.UTF8.GetBytes("{\"id\":[1]}\n")));

        Assert.NotNull(e.Code);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public void Query_UnknownUser_IsAFaultOfTheStoreSoTheBatchIsKept()
    {
        using var client = new ClickHouseClient(_client.Endpoint with { User = "nobody" }, TimeSpan.FromSeconds(10));

        var e = Assert.Throws<ClickHouseException>(() => client.Query("SELECT 1"));

        Assert.Equal(ClickHouseErrors.UnknownUser, e.Code);
        Assert.Equal(StorageFault.ReadOnly, StorageFaultClassifier.Classify(e));
    }

    [Fact]
    public void Query_NothingListening_IsAnIoFaultOfTheStore()
    {
        var port = FreeLoopbackPort();
        using var client = new ClickHouseClient(ClickHouseEndpoint.Parse($"http://127.0.0.1:{port}/db"), TimeSpan.FromSeconds(10));

        var e = Assert.Throws<ClickHouseException>(() => client.Query("SELECT 1"));

        Assert.Null(e.Code);
        Assert.Equal(StorageFault.Io, StorageFaultClassifier.Classify(e));
    }

    [Fact]
    public void Query_ServerSlowerThanTheTimeout_IsABusyFaultWithinTheDeadline()
    {
        using var client = new ClickHouseClient(_client.Endpoint, TimeSpan.FromMilliseconds(300));

        // sleep(3) is the server's own wait (3 s is its maximum); the client gives up at 300 ms.
        var e = Assert.Throws<ClickHouseException>(() => client.Query("SELECT sleep(3)"));

        Assert.Equal(StorageFault.Busy, e.Fault);
        Assert.Contains("did not answer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_Password_IsSentInTheKeyHeaderNeverInTheUrl()
    {
        var handler = new RecordingHandler();
        using var client = new ClickHouseClient(ClickHouseEndpoint.Parse("http://u@127.0.0.1:9/db", password: "s3cret\n"), TimeSpan.FromSeconds(5), handler);

        client.Query("SELECT 1");

        Assert.Equal("s3cret", handler.Request!.Headers.GetValues("X-ClickHouse-Key").Single());
        Assert.Equal("u", handler.Request.Headers.GetValues("X-ClickHouse-User").Single());
        Assert.DoesNotContain("s3cret", handler.Request.RequestUri!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Code: 60, e.displayText() = DB::Exception: Table x.y doesn't exist., e.what() = DB::Exception\n", 60, "Table x.y doesn't exist.")]
    [InlineData("Code: 60. DB::Exception: Table x.y does not exist. (UNKNOWN_TABLE) (version 24.8.1)\n", 60, "Table x.y does not exist. (UNKNOWN_TABLE) (version 24.8.1)")]
    [InlineData("Code: 26, e.displayText() = DB::Exception: Cannot parse JSON string\n(at row 1)\n, e.what() = DB::Exception", 26, "Cannot parse JSON string\n(at row 1)")]
    public void ParseError_OldAndNewServerFormats_GiveCodeAndMessage(string body, int code, string message)
    {
        var e = ClickHouseErrors.Parse(500, body, "a query");

        Assert.Equal(code, e.Code);
        Assert.Equal(message, e.ServerMessage);
    }

    [Fact]
    public void ParseError_TooManyParts_IsTransient() =>
        Assert.True(ClickHouseErrors.Parse(500, "Code: 252, e.displayText() = DB::Exception: Too many parts (300)", "an insert").IsTransient);

    public void Dispose()
    {
        _client.QueryServer($"DROP DATABASE IF EXISTS {_client.Endpoint.Database}");
        _client.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("1\n") });
        }
    }
}
