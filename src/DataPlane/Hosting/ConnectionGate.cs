namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// Whoever handed a connection over may hold its bytes back for a while (a blackholed load balancer): awaited
/// before the server sees what arrived and before what it wrote leaves. Completed synchronously while open.
/// </summary>
internal sealed class ConnectionGate(Func<CancellationToken, ValueTask> whileBlocked)
{
    public ValueTask WhileBlockedAsync(CancellationToken cancellationToken) => whileBlocked(cancellationToken);
}
