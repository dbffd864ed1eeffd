using System.Text;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> expansion in command, args and env values: a defined name is replaced, an undefined one
/// stays as written, <c>$$</c> is a literal <c>$</c>, and a <c>$</c> before anything else stays.
/// </summary>
public static class VariableExpansion
{
    public static string Expand(string input, Func<string, string?> lookup)
    {
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '$' || i + 1 >= input.Length)
            {
                output.Append(input[i]);
                continue;
            }

            var next = input[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i++;
            }
            else if (next == '(' && input.IndexOf(')', i + 2) is var close and > 0)
            {
                var name = input[(i + 2)..close];
                output.Append(lookup(name) ?? $"$({name})");
                i = close;
            }
            else
            {
                output.Append('$');
            }
        }

        return output.ToString();
    }
}
