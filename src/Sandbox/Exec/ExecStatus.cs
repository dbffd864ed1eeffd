using System.Globalization;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>
/// The <c>metav1.Status</c> the kubelet writes on the error channel when a command ends: client-go turns
/// <c>NonZeroExitCode</c> with an <c>ExitCode</c> cause into "command terminated with exit code N" and that exit code.
/// </summary>
public static class ExecStatus
{
    public static JsonObject For(int exitCode, IReadOnlyList<string> command) => exitCode == 0
        ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
        : new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {exitCode}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.ToString(CultureInfo.InvariantCulture) }),
            },
        };
}
