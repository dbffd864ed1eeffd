using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.Sandbox.Exec.Curl;

/// <summary>Expands a <c>-w/--write-out</c> template: <c>%{variable}</c>, <c>%{header{name}}</c>, <c>%%</c> and <c>\n \r \t \\</c>.</summary>
public static class CurlWriteOut
{
    public static string Format(string template, CurlTransferInfo info, ICollection<string> unknown)
    {
        var text = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '\\' && i + 1 < template.Length && template[i + 1] is 'n' or 'r' or 't' or '\\')
            {
                text.Append(template[++i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', _ => '\\' });
            }
            else if (c == '%' && i + 1 < template.Length && template[i + 1] == '%')
            {
                text.Append('%');
                i++;
            }
            else if (c == '%' && i + 1 < template.Length && template[i + 1] == '{' && Close(template, i + 2) is var end and > 0)
            {
                var name = template[(i + 2)..end];
                if (Variable(name, info) is { } value)
                {
                    text.Append(value);
                }
                else
                {
                    unknown.Add(name);
                }

                i = end;
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static int Close(string template, int start)
    {
        // %{header{name}} nests one level of braces.
        if (template.AsSpan(start).StartsWith("header{", StringComparison.Ordinal))
        {
            var inner = template.IndexOf('}', start);
            return inner < 0 || inner + 1 >= template.Length || template[inner + 1] != '}' ? -1 : inner + 1;
        }

        return template.IndexOf('}', start);
    }

    private static string? Variable(string name, CurlTransferInfo info)
    {
        if (name.StartsWith("header{", StringComparison.Ordinal) && name.EndsWith('}'))
        {
            return info.ResponseHeaders.GetValueOrDefault(name[7..^1]) ?? "";
        }

        return name switch
        {
            "http_code" or "response_code" => info.StatusCode.ToString("000", CultureInfo.InvariantCulture),
            "http_version" => info.HttpVersion,
            "url_effective" => info.Url?.AbsoluteUri ?? "",
            "url" => info.Url?.OriginalString ?? "",
            "method" => info.Method,
            "content_type" => info.ContentType ?? "",
            "redirect_url" => info.RedirectUrl ?? "",
            "num_redirects" => Number(info.Redirects),
            "size_download" => Number(info.BytesDownloaded),
            "size_header" => Number(info.HeaderBytes),
            "remote_ip" => info.RemoteIp,
            "remote_port" => info.RemotePort == 0 ? "" : Number(info.RemotePort),
            "exitcode" => Number(info.ExitCode),
            "errormsg" => info.ErrorMessage,
            "time_total" => Seconds(info.Elapsed),
            "time_connect" => Seconds(info.Connected),
            "time_starttransfer" => Seconds(info.FirstByte),
            _ => null,
        };
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);
}
