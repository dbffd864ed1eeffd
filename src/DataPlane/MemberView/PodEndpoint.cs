namespace ErieCanal.Orleans.DataPlane.MemberView;

/// <summary>One ready pod address behind a Service port, as an EndpointSlice lists it.</summary>
public sealed record PodEndpoint(string Ip, int Port, string? PodName)
{
    public string Authority => Ip.Contains(':', StringComparison.Ordinal) ? $"[{Ip}]:{Port}" : $"{Ip}:{Port}";
}
