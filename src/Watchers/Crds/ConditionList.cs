namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>Sets conditions the way the API conventions ask: lastTransitionTime moves only when status changes.</summary>
public static class ConditionList
{
    public static List<Condition> Set(IEnumerable<Condition>? existing, string type, bool status, string reason, string message, long? observedGeneration, DateTime now) =>
        Set(existing, type, status ? "True" : "False", reason, message, observedGeneration, now);

    /// <summary>The same with the status as written ("True", "False" or "Unknown").</summary>
    public static List<Condition> Set(IEnumerable<Condition>? existing, string type, string text, string reason, string message, long? observedGeneration, DateTime now)
    {
        // metav1.Time has second precision.
        now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var list = existing?.Select(Copy).ToList() ?? [];
        var current = list.FirstOrDefault(c => c.Type == type);
        if (current is null)
        {
            list.Add(new Condition { Type = type, Status = text, Reason = reason, Message = message, ObservedGeneration = observedGeneration, LastTransitionTime = now });
            return list;
        }

        if (current.Status != text)
        {
            current.LastTransitionTime = now;
        }

        current.Status = text;
        current.Reason = reason;
        current.Message = message;
        current.ObservedGeneration = observedGeneration;
        current.LastTransitionTime ??= now;
        return list;
    }

    public static bool SameState(IEnumerable<Condition>? a, IEnumerable<Condition>? b)
    {
        static string Key(IEnumerable<Condition>? list) => string.Join(";", (list ?? []).OrderBy(c => c.Type, StringComparer.Ordinal)
            .Select(c => $"{c.Type}={c.Status}/{c.Reason}/{c.Message}/{c.ObservedGeneration}"));
        return Key(a) == Key(b);
    }

    private static Condition Copy(Condition c) => new()
    {
        Type = c.Type,
        Status = c.Status,
        Reason = c.Reason,
        Message = c.Message,
        ObservedGeneration = c.ObservedGeneration,
        LastTransitionTime = c.LastTransitionTime,
    };
}
