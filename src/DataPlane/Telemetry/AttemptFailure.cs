using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace ErieCanal.Orleans.DataPlane.Telemetry;

/// <summary>Why an attempt on an endpoint failed: the <c>reason</c> label of the failure counter.</summary>
public enum AttemptFailure
{
    /// <summary>The connection was refused.</summary>
    Refused,

    /// <summary>No response headers within the per-try timeout (or the activity timeout).</summary>
    Timeout,

    /// <summary>Any other connection failure: reset, closed before the answer, broken while sending the body.</summary>
    Connection,

    /// <summary>The endpoint answered 5xx.</summary>
    Status5xx,
}

internal static class AttemptFailures
{
    public static string Label(this AttemptFailure failure) => failure switch
    {
        AttemptFailure.Refused => "refused",
        AttemptFailure.Timeout => "timeout",
        AttemptFailure.Connection => "connection",
        _ => "5xx",
    };

    /// <summary>What a forwarder error says about the endpoint; null when the client, not the endpoint, went away.</summary>
    public static AttemptFailure? Of(ForwarderError error, Exception? exception) => error switch
    {
        ForwarderError.RequestTimedOut => AttemptFailure.Timeout,
        ForwarderError.Request when Find<TimeoutException>(exception) is not null => AttemptFailure.Timeout,
        ForwarderError.Request when Find<SocketException>(exception) is { SocketErrorCode: SocketError.ConnectionRefused } => AttemptFailure.Refused,
        ForwarderError.Request or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination
            or ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseDestination => AttemptFailure.Connection,
        _ => null,
    };

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }
}
