using System.Text.Json;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Faults;

/// <summary>A fault on every pod of one Deployment: answer an error status, answer late, or never answer.</summary>
public sealed record WorkloadFault
{
    public static readonly TimeSpan MaxLatency = TimeSpan.FromMinutes(10);

    private WorkloadFault(WorkloadFaultMode mode, int code, TimeSpan latency)
    {
        Mode = mode;
        Code = code;
        Latency = latency;
    }

    public static WorkloadFault None { get; } = new(WorkloadFaultMode.None, 0, TimeSpan.Zero);

    public static WorkloadFault Hang { get; } = new(WorkloadFaultMode.Hang, 0, TimeSpan.Zero);

    public WorkloadFaultMode Mode { get; }

    /// <summary>The status answered in <see cref="WorkloadFaultMode.Error"/> mode.</summary>
    public int Code { get; }

    /// <summary>The delay added in <see cref="WorkloadFaultMode.Latency"/> mode.</summary>
    public TimeSpan Latency { get; }

    public static WorkloadFault Error(int code) =>
        code is >= 400 and <= 599 ? new(WorkloadFaultMode.Error, code, TimeSpan.Zero) : throw new ArgumentOutOfRangeException(nameof(code), code, "code must be a 4xx or 5xx status");

    public static WorkloadFault Delay(TimeSpan latency) =>
        latency > TimeSpan.Zero && latency <= MaxLatency
            ? new(WorkloadFaultMode.Latency, 0, latency)
            : throw new ArgumentOutOfRangeException(nameof(latency), latency, $"latency must be positive and at most {MaxLatency.TotalMilliseconds} ms");

    /// <summary>
    /// Reads the control API's body: <c>{"mode":"error","code":503}</c>, <c>{"mode":"latency","ms":200}</c>,
    /// <c>{"mode":"hang"}</c> or <c>{"mode":"none"}</c>. Bad input throws <see cref="ArgumentException"/>.
    /// </summary>
    public static WorkloadFault FromJson(JsonObject body)
    {
        var mode = body["mode"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : null;
        return mode?.ToLowerInvariant() switch
        {
            "none" => None,
            "hang" => Hang,
            "error" => Error((int)Math.Clamp(Integer(body, "code") ?? 503, 0, 1000)),
            "latency" => Delay(TimeSpan.FromMilliseconds(Integer(body, "ms") ?? throw new ArgumentException("latency needs \"ms\", a positive number of milliseconds"))),
            _ => throw new ArgumentException("mode must be one of \"error\" (with \"code\"), \"latency\" (with \"ms\"), \"hang\" or \"none\""),
        };
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["mode"] = Mode.ToString().ToLowerInvariant() };
        if (Mode == WorkloadFaultMode.Error)
        {
            json["code"] = Code;
        }

        if (Mode == WorkloadFaultMode.Latency)
        {
            json["ms"] = (long)Latency.TotalMilliseconds;
        }

        return json;
    }

    private static long? Integer(JsonObject body, string field) => body[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < long.MaxValue => (long)d,
        _ => throw new ArgumentException($"\"{field}\" must be an integer"),
    };
}
