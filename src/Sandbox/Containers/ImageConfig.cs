using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>The parts of an OCI image config a container runtime honours when it starts a container.</summary>
public sealed record ImageConfig(IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Cmd, IReadOnlyList<string> Env, string User, string WorkingDir)
{
    public static ImageConfig Parse(JsonNode? document)
    {
        var config = document?["config"] as JsonObject;
        return new ImageConfig(Strings(config?["Entrypoint"]), Strings(config?["Cmd"]), Strings(config?["Env"]),
            config?["User"]?.GetValue<string>() ?? "", config?["WorkingDir"]?.GetValue<string>() ?? "");
    }

    private static List<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>().ToList();
}
