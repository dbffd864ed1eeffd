using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// What the kubelet knows of one container of a pod, for its containerStatuses entry: the state (waiting, running or
/// terminated), the state before the last restart, readiness, and the instances it ran (kept for <c>logs --previous</c>).
/// Mutated under the pod's lock.
/// </summary>
public sealed class ContainerRecord(string name, string image, bool init)
{
    public string Name { get; } = name;

    public string Image { get; } = image;

    public bool Init { get; } = init;

    public string ImageId { get; set; } = "";

    public int RestartCount { get; set; }

    public bool Ready { get; set; }

    public bool Started { get; set; }

    public JsonObject State { get; set; } = Waiting("ContainerCreating", null);

    public JsonObject? LastState { get; set; }

    public ContainerInstance? Current { get; set; }

    public ContainerInstance? Previous { get; set; }

    /// <summary>Every instance this container ran, oldest first (their logs stay until the pod goes).</summary>
    public List<ContainerInstance> Instances { get; } = [];

    /// <summary>Set when the container will not run again (its restart policy says so, or the pod is terminating).</summary>
    public bool Done { get; set; }

    /// <summary>Whether the container runs now.</summary>
    public bool Running => State["running"] is not null;

    public bool Terminated => State["terminated"] is not null;

    public static JsonObject Waiting(string reason, string? message) => new()
    {
        ["waiting"] = message is null ? new JsonObject { ["reason"] = reason } : new JsonObject { ["reason"] = reason, ["message"] = message },
    };

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["name"] = Name,
            ["state"] = State.DeepClone(),
            ["lastState"] = LastState?.DeepClone() ?? new JsonObject(),
            ["ready"] = Ready,
            ["restartCount"] = RestartCount,
            ["image"] = Image,
            ["imageID"] = ImageId,
            ["started"] = Started,
        };
        if ((Current ?? Previous) is { } instance)
        {
            status["containerID"] = $"runc://{instance.Id}";
        }

        return status;
    }
}
