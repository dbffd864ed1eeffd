namespace ErieCanal.Orleans.DataPlane; public static class Program { public static int Main() => 0; }
