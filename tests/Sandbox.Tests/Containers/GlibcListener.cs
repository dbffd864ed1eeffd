using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>
/// A dynamically linked (glibc) listener for the test image, with the host's glibc beside it: <c>listen PORT TEXT</c>
/// binds 0.0.0.0:PORT as an app in its own network namespace would, and answers every connection with TEXT. The
/// busybox applets are static, so they never load the sandbox's bind shim; this program does.
/// </summary>
public static partial class GlibcListener
{
    public const string PathInImage = "/bin/listen";

    private const string Source = """
        #include <netinet/in.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <unistd.h>

        int main(int argc, char **argv)
        {
            if (argc != 3) { fprintf(stderr, "usage: listen PORT TEXT\n"); return 2; }
            int server = socket(AF_INET, SOCK_STREAM, 0), on = 1;
            setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
            struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_ANY) };
            if (bind(server, (struct sockaddr *)&address, sizeof address) != 0 || listen(server, 16) != 0) { perror("listen"); return 1; }
            fprintf(stderr, "listening on 0.0.0.0:%s\n", argv[1]);
            for (;;) {
                int client = accept(server, NULL, NULL);
                if (client < 0) continue;
                dprintf(client, "%s\n", argv[2]);
                close(client);
            }
        }
        """;

    /// <summary>The files to add to an image (path inside it, content): the listener, the glibc it links and its loader.</summary>
    public static IReadOnlyList<(string Path, byte[] Content)> Files(string scratch)
    {
        Directory.CreateDirectory(scratch);
        var source = Path.Combine(scratch, "listen.c");
        var program = Path.Combine(scratch, "listen");
        File.WriteAllText(source, Source);
        Run("cc", "-O2", "-o", program, source);
        var files = new List<(string, byte[])> { (PathInImage.TrimStart('/'), File.ReadAllBytes(program)) };

        // Each library at the path ldd names (the loader's is the program's interpreter), as a regular file.
        foreach (Match match in LddPath().Matches(Run("ldd", program)))
        {
            var path = match.Groups["path"].Value;
            files.Add((path.TrimStart('/'), File.ReadAllBytes(path)));
        }

        return files;
    }

    private static string Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? stdout
            : throw new InvalidOperationException($"the container tests need a C compiler for their glibc listener (apt-get install gcc): {tool} exited {process.ExitCode}: {stderr.Result}");
    }

    [GeneratedRegex(@"(?:=> |^\s*)(?<path>/\S+) \(0x", RegexOptions.Multiline)]
    private static partial Regex LddPath();
}
