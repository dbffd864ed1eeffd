using System.Net;

namespace ErieCanal.Orleans.DataPlane.Dns;

internal static partial class DnsLog
{
    [LoggerMessage(EventId = 8201, Level = LogLevel.Information, Message = "clusterset.local DNS of {Member} listening on {EndPoint} (UDP and TCP)")]
    public static partial void Started(this ILogger logger, string member, IPEndPoint endPoint);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Information, Message = "clusterset.local DNS of {Member} rebuilt: {Services} services from {Imports} ServiceImports and {Slices} EndpointSlices")]
    public static partial void Rebuilt(this ILogger logger, string member, int services, int imports, int slices);

    [LoggerMessage(EventId = 8203, Level = LogLevel.Error, Message = "clusterset.local DNS of {Member} could not rebuild its records; the previous ones stay in force")]
    public static partial void RebuildFailed(this ILogger logger, Exception ex, string member);

    [LoggerMessage(EventId = 8204, Level = LogLevel.Debug, Message = "clusterset.local DNS on {EndPoint}: a query failed")]
    public static partial void ServerError(this ILogger logger, Exception ex, IPEndPoint endPoint);
}
