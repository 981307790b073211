"""The same smallest pyvider-rpcplugin 0.5.5 plugin as field/python-pyvider/plugin.py, on the TCP
transport: the second form of `plugin_server`'s own docstring example (`transport="tcp"`), with the
documented default port 0 (any free port; the docstring's fixed 8080 would collide between the plugin
instances the kit starts side by side) and the documented default host."""

import asyncio

from pyvider.rpcplugin import plugin_protocol, plugin_server


class MyHandler:
    async def process(self, request):
        return {"result": "processed"}


async def main() -> None:
    server = plugin_server(
        protocol=plugin_protocol(),
        handler=MyHandler(),
        transport="tcp",
        config={"PLUGIN_MAGIC_COOKIE_KEY": "BASIC_PLUGIN", "PLUGIN_MAGIC_COOKIE_VALUE": "hello"},
    )
    await server.serve()


asyncio.run(main())
