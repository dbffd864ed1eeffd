using System.Net;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>Kestrel's name for the connections a server adopts rather than accepts (see <see cref="AdoptedConnections"/>).</summary>
internal sealed class AdoptedEndPoint : EndPoint
{
    public static AdoptedEndPoint Instance { get; } = new();

    public override string ToString() => "adopted:";
}
