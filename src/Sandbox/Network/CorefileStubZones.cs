using System.Globalization;
using System.Net;
using ARSoft.Tools.Net;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>
/// Reads the stub zones out of a CoreDNS Corefile: server blocks <c>&lt;zone&gt;:53 { … forward . &lt;addr&gt;[:port]… }</c>
/// (every other directive, and the root block <c>.:53</c>, ignored). Only loopback upstreams are kept: nothing the
/// sandbox does may reach past this machine.
/// </summary>
public static class CorefileStubZones
{
    private const int DnsPort = 53;

    public static IReadOnlyList<StubZone> Parse(string corefile)
    {
        var zones = new List<StubZone>();
        var keys = new List<string>();
        var upstreams = new List<IPEndPoint>();
        var depth = 0;
        foreach (var rawLine in corefile.Split('\n'))
        {
            var line = rawLine.Split('#')[0];
            var tokens = line.Replace("{", " { ", StringComparison.Ordinal).Replace("}", " } ", StringComparison.Ordinal)
                .Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < tokens.Length; i++)
            {
                switch (tokens[i])
                {
                    case "{":
                        depth++;
                        break;
                    case "}":
                        depth--;
                        if (depth == 0)
                        {
                            zones.AddRange(Zones(keys, upstreams));
                            keys.Clear();
                            upstreams.Clear();
                        }

                        break;
                    case var key when depth == 0:
                        keys.Add(key);
                        break;
                    case "forward" when depth == 1 && (i == 0 || tokens[i - 1] == "{"):
                        // forward FROM TO...: the rest of the line up to an options block.
                        var args = tokens.Skip(1).TakeWhile(t => t != "{").ToList();
                        if (args.Count > 1 && args[0] == ".")
                        {
                            upstreams.AddRange(args.Skip(1).Select(Upstream).OfType<IPEndPoint>());
                        }

                        i += args.Count;
                        break;
                }
            }
        }

        return zones;
    }

    private static IEnumerable<StubZone> Zones(List<string> keys, List<IPEndPoint> upstreams)
    {
        if (upstreams.Count == 0)
        {
            yield break;
        }

        foreach (var key in keys)
        {
            var address = key.StartsWith("dns://", StringComparison.Ordinal) ? key["dns://".Length..] : key;
            var colon = address.LastIndexOf(':');
            var zone = colon < 0 ? address : address[..colon];
            var port = colon < 0 ? DnsPort : int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : -1;
            if (port != DnsPort || zone.Trim('.').Length == 0 || !DomainName.TryParse(zone.TrimEnd('.'), out var name))
            {
                continue;
            }

            yield return new StubZone(name!, [.. upstreams]);
        }
    }

    private static IPEndPoint? Upstream(string text)
    {
        var address = text.StartsWith("dns://", StringComparison.Ordinal) ? text["dns://".Length..] : text;
        if (!IPEndPoint.TryParse(address, out var endPoint) || !IPAddress.IsLoopback(endPoint.Address))
        {
            return null;
        }

        return endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, DnsPort) : endPoint;
    }
}
