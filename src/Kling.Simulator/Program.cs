namespace Kling.Simulator;

/// <summary>
/// Standalone simulator: <c>dotnet run --project src/Kling.Simulator</c> listens on http://localhost:8090;
/// settings come from the <c>Simulator</c> section (e.g. <c>Simulator__ApiKey</c>, <c>Simulator__FinishAfter</c>).
/// </summary>
internal static class SimulatorProgram
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddKlingSimulator();
        builder.Services.Configure<SimulatorOptions>(builder.Configuration.GetSection("Simulator"));

        var app = builder.Build();
        app.MapKlingSimulator();
        app.Run();
    }
}
