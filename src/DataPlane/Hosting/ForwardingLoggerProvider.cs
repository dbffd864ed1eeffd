namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>Sends an embedded data plane's logs to its host's logger factory (the silo's, a test's).</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

    // The factory belongs to the host.
    public void Dispose()
    {
    }
}
