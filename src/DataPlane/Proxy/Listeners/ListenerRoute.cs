using System.Globalization;

namespace ErieCanal.Orleans.DataPlane.Proxy.Listeners;

/// <summary>
/// Where one per-port listener of the proxy goes: port <see cref="ServicePort"/> of the ServiceImport
/// <see cref="Namespace"/>/<see cref="ImportName"/> of kind <see cref="Kind"/> (<c>mcs</c> or <c>flomesh</c>). Also the
/// connection feature of the HTTP connections a listener hands to Kestrel, so a request whose Host names no Service
/// (a ClusterIP) goes to the listener's.
/// </summary>
public sealed record ListenerRoute(string Kind, string Namespace, string ImportName, int ServicePort, ListenerProtocol Protocol)
{
    /// <summary>svc.ns:port, the <c>service</c> label of the metrics.</summary>
    public string Service { get; } = $"{ImportName}.{Namespace}:{ServicePort.ToString(CultureInfo.InvariantCulture)}";
}
