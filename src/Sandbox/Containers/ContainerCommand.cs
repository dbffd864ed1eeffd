using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The argv a container runs, by Kubernetes' rules: <c>command</c> replaces the image's ENTRYPOINT (and then its CMD
/// is dropped), <c>args</c> replaces CMD; both get <c>$(VAR)</c> expanded against the container's environment.
/// </summary>
public static class ContainerCommand
{
    public static IReadOnlyList<string> Build(JsonObject container, ImageConfig image, IReadOnlyList<KeyValuePair<string, string>> environment)
    {
        var command = Strings(container["command"]);
        var args = Strings(container["args"]);
        var env = environment.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        string? Lookup(string name) => env.GetValueOrDefault(name);
        var argv = new List<string>();
        argv.AddRange(command is not null ? command.Select(c => VariableExpansion.Expand(c, Lookup)) : image.Entrypoint);
        argv.AddRange(args is not null ? args.Select(a => VariableExpansion.Expand(a, Lookup)) : command is null ? image.Cmd : []);
        return argv.Count > 0 ? argv : throw new ContainerConfigException("no command specified");
    }

    private static List<string>? Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n?.GetValue<string>() ?? "").ToList() : null;
}
