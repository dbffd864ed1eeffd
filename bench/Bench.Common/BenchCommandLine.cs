namespace ErieCanal.Orleans.Bench.Common;

/// <summary>
/// The benchmarks' one command-line parser: flags (<c>--quick</c>), options with a value (<c>--seed=9</c>) or with
/// several following values (<c>--soak system 60</c>), <c>-h</c>/<c>--help</c> printing the usage, and exit code 2 for
/// anything unknown or malformed. A benchmark reads what it was given and validates values itself (<see cref="Fail"/>).
/// </summary>
public sealed class BenchCommandLine
{
    private readonly Dictionary<string, IReadOnlyList<string>> _given;

    private BenchCommandLine(Dictionary<string, IReadOnlyList<string>> given, int? exit)
    {
        _given = given;
        Exit = exit;
    }

    /// <summary>Set when the program should stop now with this exit code (help printed: 0; a bad argument: 2).</summary>
    public int? Exit { get; }

    /// <param name="args">The program's arguments.</param>
    /// <param name="usage">Printed for <c>--help</c>: the usage line and a line per option.</param>
    /// <param name="flags">Options without a value, e.g. <c>--quick</c>.</param>
    /// <param name="options">Options with a value, <c>--name=value</c>; a name given with a count N &gt; 1 takes the N arguments that follow it instead.</param>
    public static BenchCommandLine Parse(string[] args, string usage, IReadOnlyCollection<string> flags, IReadOnlyDictionary<string, int>? options = null)
    {
        options ??= new Dictionary<string, int>();
        var given = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var (name, value) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            if (name is "-h" or "--help")
            {
                Console.WriteLine(usage);
                return new BenchCommandLine(given, 0);
            }

            if (value is null && flags.Contains(name))
            {
                given[name] = [];
            }
            else if (options.TryGetValue(name, out var count) && count == 1 && value is { Length: > 0 })
            {
                given[name] = [value];
            }
            else if (options.TryGetValue(name, out count) && count > 1 && value is null && i + count < args.Length)
            {
                given[name] = args[(i + 1)..(i + 1 + count)];
                i += count;
            }
            else
            {
                Console.Error.WriteLine($"unknown or malformed argument '{arg}' (try --help)");
                return new BenchCommandLine(given, 2);
            }
        }

        return new BenchCommandLine(given, null);
    }

    public bool Has(string name) => _given.ContainsKey(name);

    /// <summary>The option's value, or null when not given.</summary>
    public string? Value(string name) => _given.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>The values of an option that takes several.</summary>
    public IReadOnlyList<string>? Values(string name) => _given.GetValueOrDefault(name);

    /// <summary>A positive number of seconds, or null when not given; <paramref name="valid"/> is false when malformed.</summary>
    public TimeSpan? Seconds(string name, out bool valid)
    {
        valid = true;
        if (Value(name) is not { } text)
        {
            return null;
        }

        valid = double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0;
        return valid ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>Reports a value the benchmark cannot use; returns the exit code to stop with.</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine($"{message} (try --help)");
        return 2;
    }
}
