using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using static Kling.Gateway.Tests.Infrastructure.KlingJson;

namespace Kling.Gateway.Tests.Tasks.Sqlite;

public sealed class SqliteSchemaTests
{
    [Fact]
    public async Task A_database_made_before_answers_and_slot_counters_keeps_its_tasks_and_their_slots()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = await TestStore.SettingsAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Tenants:0:Limits:MaxActiveTasks"] = "2" });
        var path = settings["Store:Sqlite:Path"]!;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var old = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE tasks (id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, task_id TEXT UNIQUE, model TEXT NOT NULL,
                    status TEXT NOT NULL, holds_slot INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                    observed_at INTEGER NOT NULL, request_id TEXT NOT NULL, data TEXT);
                INSERT INTO tasks (tenant_id, task_id, model, status, holds_slot, created_at, updated_at, observed_at, request_id, data)
                VALUES ('tenant-a', 'old-task-1', 'kling-v1', 'processing', 1, $created, $created, $created, 'r', '{"task_id":"old-task-1","task_status":"processing"}');
                """;
            create.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await create.ExecuteNonQueryAsync();
        }

        await using var gateway = new GatewayFactory(upstream.BaseAddress, settings);
        using var client = gateway.CreateClient(TestKeys.TenantA);

        var newTask = await SubmitAsync(client);
        using var overCap = await client.PostAsync(Text2VideoPath, Json(ValidSubmit));
        using var list = await client.GetAsync(Text2VideoPath);

        await overCap.AssertKlingErrorAsync(HttpStatusCode.TooManyRequests, 1303);
        Assert.Equal([newTask, "old-task-1"], (await list.ReadJsonAsync())["data"]!.AsArray().Select(t => (string)t!["task_id"]!));
    }
}
