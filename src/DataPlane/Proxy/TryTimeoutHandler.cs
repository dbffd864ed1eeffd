namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// Bounds one attempt's wait for the response headers (connect, send, first answer) by the per-try timeout; once
/// the headers are in, the body streams under the forwarder's activity timeout only. An attempt that runs out
/// fails with <see cref="TryTimeoutException"/>, so the proxy can retry it elsewhere. Never disposed: the socket
/// handler inside is shared and owned by <see cref="ProxyInvokers"/>.
/// </summary>
internal sealed class TryTimeoutHandler(TimeSpan tryTimeout, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(tryTimeout);
        try
        {
            return await base.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TryTimeoutException(tryTimeout, ex);
        }
    }
}
