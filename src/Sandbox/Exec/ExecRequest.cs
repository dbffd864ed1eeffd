using ErieCanal.Orleans.Sandbox.Api;

namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>The query of a <c>pods/{name}/exec</c> request: the command, the container and which streams the client wants.</summary>
public sealed record ExecRequest(IReadOnlyList<string> Command, string? Container, bool Stdin, bool Stdout, bool Stderr, bool Tty)
{
    public static ExecRequest Parse(IQueryCollection query)
    {
        var command = query["command"].Where(c => c is not null).Select(c => c!).ToList();
        if (command.Count == 0)
        {
            throw ApiException.BadRequest("you must specify at least 1 command");
        }

        var request = new ExecRequest(command, NullIfEmpty(query["container"].FirstOrDefault()),
            Flag(query, "stdin"), Flag(query, "stdout"), Flag(query, "stderr"), Flag(query, "tty"));
        if (!request.Stdin && !request.Stdout && !request.Stderr)
        {
            throw ApiException.BadRequest("you must specify at least 1 of stdin, stdout, stderr");
        }

        return request;
    }

    private static bool Flag(IQueryCollection query, string name) =>
        query[name].FirstOrDefault() is { } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
