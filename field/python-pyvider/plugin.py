"""The smallest pyvider-rpcplugin plugin: the `plugin_server` example of pyvider-rpcplugin 0.5.5's own
documentation (`pyvider.rpcplugin.factories.plugin_server`), with the handshake's magic cookie set in
the server's `config` (the library's `PLUGIN_MAGIC_COOKIE_KEY` / `PLUGIN_MAGIC_COOKIE_VALUE` keys), as
go-plugin's example sets its `HandshakeConfig`. Everything else is the library's default: Unix socket
transport, automatic mTLS when the host sends `PLUGIN_CLIENT_CERT`, the gRPC health service (service
"plugin" SERVING) and the go-plugin controller (`GRPCController.Shutdown`)."""

import asyncio

from pyvider.rpcplugin import plugin_protocol, plugin_server


class MyHandler:
    async def process(self, request):
        return {"result": "processed"}


async def main() -> None:
    server = plugin_server(
        protocol=plugin_protocol(),
        handler=MyHandler(),
        config={"PLUGIN_MAGIC_COOKIE_KEY": "BASIC_PLUGIN", "PLUGIN_MAGIC_COOKIE_VALUE": "hello"},
    )
    await server.serve()


asyncio.run(main())
