namespace ErieCanal.Orleans.Conformance.Tests.Parsers;

/// <summary>ncCommand: the shell line the connectivity cases run in the request pod.</summary>
public static class NcCommand
{
    public static string For(string ipFamily, string serviceFqdn, int port)
    {
        // As upstream: nc -6 with a host name hangs in IPv6-only clusters, so IPv6 resolves first and gives nc the address.
        if (ipFamily == IpFamilies.IPv6)
        {
            return $"addr=$(nslookup -type=AAAA {serviceFqdn}. 2>&1 | grep '^Address:' | grep -v '#' | tail -1 | awk '{{print $2}}'); " +
                "if [ -z \"$addr\" ]; then echo 'No IPv6 address found'; exit 1; fi; " +
                $"echo hi | nc -v -w 2 $addr {port} 2>&1";
        }

        return $"echo hi | nc -v -w 2 -4 {serviceFqdn} {port} 2>&1";
    }
}
