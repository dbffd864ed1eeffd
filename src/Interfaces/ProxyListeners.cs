using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// The contract between the writers of a member's proxy-fronted Services (MCS derived Services, and same-name
/// Services for flomesh.io imports) and the member's client-side proxy. Each TCP port of such a Service lands on a
/// listener of its own on the proxy, so that a connection says by its port alone which service port it is for
/// (plain TCP carries no Host). The writer allocates the listener ports and records them in the Service's proxy
/// EndpointSlice (its port entries carry the listener ports, so kube-proxy sends there); the proxy reads that slice
/// to know what to open and where each listener goes.
/// </summary>
public static class ProxyListeners
{
    /// <summary>On a proxy EndpointSlice: the import it routes to, <c>mcs</c> or <c>flomesh</c> (which ServiceImport kind names the routing).</summary>
    public const string ImportKindLabel = "multicluster.flomesh.io/proxy-import-kind";

    /// <summary>On a proxy EndpointSlice: the name of the ServiceImport (in the slice's namespace) its listeners route to.</summary>
    public const string ImportNameLabel = "multicluster.flomesh.io/proxy-import";

    /// <summary>On a proxy EndpointSlice: <c>listenerPort=servicePort[,…]</c>, e.g. <c>20001=42,20002=8080</c>.</summary>
    public const string ListenersAnnotation = "multicluster.flomesh.io/proxy-listeners";

    public const string McsKind = "mcs";
    public const string FlomeshKind = "flomesh";

    /// <summary>The default range listener ports are allocated from (inclusive): below Linux's ephemeral range.</summary>
    public const int DefaultFirstPort = 20000;
    public const int DefaultLastPort = 29999;

    /// <summary>Formats listener → service port pairs as the annotation holds them (ordered by listener port).</summary>
    public static string Format(IEnumerable<(int Listener, int ServicePort)> pairs)
    {
        var text = new StringBuilder();
        foreach (var (listener, servicePort) in pairs.OrderBy(p => p.Listener))
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(listener.ToString(CultureInfo.InvariantCulture)).Append('=').Append(servicePort.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Parses the annotation; malformed or out-of-range pairs are left out (a hand-edited slice loses only its own bad entries).</summary>
    public static IReadOnlyList<(int Listener, int ServicePort)> Parse(string? annotation)
    {
        if (string.IsNullOrWhiteSpace(annotation))
        {
            return [];
        }

        var pairs = new List<(int, int)>();
        foreach (var part in annotation.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0
                && int.TryParse(part.AsSpan(0, eq), NumberStyles.None, CultureInfo.InvariantCulture, out var listener) && listener is > 0 and <= 65535
                && int.TryParse(part.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var servicePort) && servicePort is > 0 and <= 65535)
            {
                pairs.Add((listener, servicePort));
            }
        }

        return pairs;
    }
}
