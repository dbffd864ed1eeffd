using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// What stands in for a pod's own network namespace where binds are concerned: containers share the host's
/// network, so two pods listening on 0.0.0.0 and one port (or a pod and the sandbox's kube-proxy on a cluster IP's
/// port) would collide. A tiny shared library, preloaded into every dynamically linked process of a container by
/// the container's /etc/ld.so.preload, turns a bind of the wildcard address to a non-zero port into a bind of the
/// pod's IP (read from <see cref="PodIpPath"/>); everything else (connects, binds of a given address or of port 0)
/// goes to the kernel untouched. It is compiled once with the host's cc into the cache, keyed by its source text.
/// Statically linked programs (and musl ones) never read /etc/ld.so.preload, so they still must bind the pod IP
/// themselves. What no shim gives: such a listener is not on the pod's loopback, so the pod's own processes reach it
/// at the pod IP, not at 127.0.0.1 (a pod of its own would answer on both).
/// </summary>
public static class BindShim
{
    /// <summary>Where a container sees the library (bound read-only from the cache).</summary>
    public const string LibraryPath = "/run/erie-canal-sandbox/bind-shim.so";

    /// <summary>Where a container sees its pod's IP, one line, for the library to read.</summary>
    public const string PodIpPath = "/run/erie-canal-sandbox/pod-ip";

    // Raw syscalls only (the real bind among them), so the library needs no glibc symbol beyond syscall and loads
    // under any glibc an image brings. The pod IP is read once per process, when the library loads.
    private const string Source = """
        #define _GNU_SOURCE
        #include <fcntl.h>
        #include <netinet/in.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/syscall.h>
        #include <unistd.h>

        static int have_pod_ip;
        static struct in_addr pod_ip;

        static int parse_ipv4(const char *text, struct in_addr *out)
        {
            unsigned long parts[4] = {0, 0, 0, 0};
            int part = 0, digits = 0;
            for (const char *c = text; *c && *c != '\n'; c++) {
                if (*c >= '0' && *c <= '9') {
                    parts[part] = parts[part] * 10 + (unsigned long)(*c - '0');
                    if (parts[part] > 255 || ++digits > 3) return 0;
                } else if (*c == '.' && digits > 0 && part < 3) {
                    part++;
                    digits = 0;
                } else {
                    return 0;
                }
            }
            if (part != 3 || digits == 0) return 0;
            out->s_addr = htonl((uint32_t)((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]));
            return 1;
        }

        __attribute__((constructor)) static void read_pod_ip(void)
        {
            char text[64];
            long fd = syscall(SYS_openat, AT_FDCWD, "POD_IP_PATH", O_RDONLY | O_CLOEXEC);
            if (fd < 0) return;
            long n = syscall(SYS_read, fd, text, sizeof text - 1);
            syscall(SYS_close, fd);
            if (n <= 0) return;
            text[n] = 0;
            have_pod_ip = parse_ipv4(text, &pod_ip);
        }

        int bind(int fd, const struct sockaddr *addr, socklen_t len)
        {
            if (have_pod_ip && addr && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
                struct sockaddr_in in4;
                memcpy(&in4, addr, sizeof in4);
                if (in4.sin_addr.s_addr == htonl(INADDR_ANY) && in4.sin_port != 0) {
                    in4.sin_addr = pod_ip;
                    return (int)syscall(SYS_bind, fd, &in4, (socklen_t)sizeof in4);
                }
            } else if (have_pod_ip && addr && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
                struct sockaddr_in6 in6;
                int v6only = 0;
                socklen_t size = sizeof v6only;
                memcpy(&in6, addr, sizeof in6);
                // A dual-stack wildcard (IPV6_V6ONLY off) takes IPv4 as the IPv4-mapped pod IP; pods have no IPv6.
                if (memcmp(&in6.sin6_addr, &in6addr_any, sizeof in6addr_any) == 0 && in6.sin6_port != 0
                    && syscall(SYS_getsockopt, fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &size) == 0 && !v6only) {
                    memset(&in6.sin6_addr, 0, sizeof in6.sin6_addr);
                    in6.sin6_addr.s6_addr[10] = 0xff;
                    in6.sin6_addr.s6_addr[11] = 0xff;
                    memcpy(&in6.sin6_addr.s6_addr[12], &pod_ip, 4);
                    return (int)syscall(SYS_bind, fd, &in6, (socklen_t)sizeof in6);
                }
            }
            return (int)syscall(SYS_bind, fd, addr, len);
        }
        """;

    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The library's C source, as compiled.</summary>
    public static string Text => Source.Replace("POD_IP_PATH", PodIpPath, StringComparison.Ordinal);

    /// <summary>The compiled library under <paramref name="cacheDirectory"/>, compiling it when the cache lacks this source's build.</summary>
    public static async Task<string> EnsureAsync(string cacheDirectory)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)))[..16];
        var library = Path.Combine(Path.GetFullPath(cacheDirectory), $"bind-shim-{key}.so");
        if (File.Exists(library))
        {
            return library;
        }

        await Gate.WaitAsync();
        try
        {
            if (File.Exists(library))
            {
                return library;
            }

            Directory.CreateDirectory(cacheDirectory);
            var scratch = $"{library}.{Guid.NewGuid():N}";
            await File.WriteAllTextAsync(scratch + ".c", Text);
            try
            {
                var error = await CompileAsync(scratch + ".c", scratch);
                if (error is not null)
                {
                    throw new IOException($"cannot compile the sandbox's bind shim (pods bind their pod IP through it): {error}");
                }

                // Another sandbox process may have won the race: either build of one source will do.
                File.Move(scratch, library, overwrite: true);
            }
            finally
            {
                File.Delete(scratch + ".c");
                File.Delete(scratch);
            }

            return library;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string?> CompileAsync(string source, string output)
    {
        var info = new ProcessStartInfo("cc") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-shared", "-fPIC", "-O2", "-fno-stack-protector", "-Wall", "-o", output, source })
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new IOException("cc did not start");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "no C compiler (cc) on this host: apt-get install gcc";
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? null : $"cc exited {process.ExitCode}: {(await stderr).Trim()}";
        }
    }
}
