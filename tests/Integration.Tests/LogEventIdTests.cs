using System.Reflection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Every <c>[LoggerMessage]</c> of the system has an event id of its own: the silo, the writers and the data plane
/// log into one stream on the embedded default, and an operator filters and alerts by id.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_message_has_a_unique_event_id()
    {
        var messages = SystemAssemblies()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        // The scan must see the logs of every layer, or it proves nothing.
        Assert.True(messages.Count > 60, $"only {messages.Count} [LoggerMessage] methods found");
        Assert.Contains(messages, m => m.Method.Contains(".Grains.", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Method.Contains(".Watchers.", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Method.Contains(".DataPlane.", StringComparison.Ordinal));

        var collisions = messages
            .GroupBy(m => m.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();
        Assert.True(collisions.Count == 0, "event ids used more than once:\n" + string.Join("\n", collisions));
    }

    /// <summary>The system's own assemblies beside the tests (the sandbox and test code are not the system).</summary>
    private static IEnumerable<Assembly> SystemAssemblies() =>
        System.IO.Directory.EnumerateFiles(AppContext.BaseDirectory, "ErieCanal.Orleans.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not null && !n.Contains("Tests", StringComparison.Ordinal) && !n.Contains("Sandbox", StringComparison.Ordinal) && !n.Contains("Bench", StringComparison.Ordinal))
            .Select(n => Assembly.Load(new AssemblyName(n!)));
}
