namespace ErieCanal.Orleans.Grains.Logic;

/// <summary>One reason a newer export cannot join the import: what it disagrees about, with which older export.</summary>
internal sealed record Disagreement(string Reason, string Winner, string Loser, string Subject, string WinnerValue, string LoserValue)
{
    public string ForLoser => $"{Subject} is {LoserValue} here but {WinnerValue} in the export from {Winner}";

    public string ForWinner => $"{Subject} is {LoserValue} in the export from {Loser} but {WinnerValue} here";
}
