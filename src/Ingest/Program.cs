return await Ingest.Cli.IngestCli.RunAsync(args);

/// <summary>The entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
