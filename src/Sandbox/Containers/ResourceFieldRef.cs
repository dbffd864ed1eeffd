using System.Globalization;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// resourceFieldRef: a container's limits or requests divided by the divisor and rounded up, as the kubelet does;
/// an unset limit is the node's allocatable (this machine's processors and memory).
/// </summary>
public static class ResourceFieldRef
{
    public static string Resolve(JsonObject container, string resource, string? divisor)
    {
        var parts = resource.Split('.', 2);
        if (parts.Length != 2 || parts[0] is not ("limits" or "requests"))
        {
            throw new ContainerConfigException($"unsupported container resource: {resource}");
        }

        var declared = container["resources"]?[parts[0]]?[parts[1]]?.GetValue<string>()
            ?? (parts[0] == "requests" ? container["resources"]?["limits"]?[parts[1]]?.GetValue<string>() : null);
        var value = declared is not null ? Quantity.Parse(declared) : parts[0] == "limits" ? NodeAllocatable(parts[1]) : 0m;
        var by = string.IsNullOrEmpty(divisor) ? 1m : Quantity.Parse(divisor);
        if (by == 0m)
        {
            by = 1m;
        }

        return decimal.Ceiling(value / by).ToString(CultureInfo.InvariantCulture);
    }

    private static decimal NodeAllocatable(string resource) => resource switch
    {
        "cpu" => Environment.ProcessorCount,
        "memory" => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        _ => 0m,
    };
}
