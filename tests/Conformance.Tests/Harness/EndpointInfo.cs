namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>headless_service_dns.go endpointInfo: a ready endpoint address and the host name its DNS records carry.</summary>
public sealed record EndpointInfo(string Address, string HostName)
{
    public override string ToString() => $"address:\"{Address}\", hostName:\"{HostName}\"";
}
