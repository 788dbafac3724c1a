# The portable core's sources, layer by layer (freestanding C11, no OS); docs/design.md draws
# the tree and the targets. Every source is listed: a new file is added here, in its layer.
# Included by the host build (CMakeLists.txt) and by the cross builds of the ports
# (ports/an521): DUET_CORE_SOURCES and DUET_TOP_SOURCES are absolute paths.
set(DUET_CORE_SOURCES
  src/base/error.c src/base/format.c src/base/format_float.c src/base/number.c src/base/text.c
  src/base/text_add.c
  src/codec/writer.c src/codec/token.c src/codec/reader.c
  src/link/link_bytes.c src/link/link_mem.c
  src/transport/vring.c src/transport/setup.c src/transport/name_service.c src/transport/rpmsg.c
  src/transport/receive.c
  src/rpc/engine.c src/rpc/signature.c src/rpc/bind.c src/rpc/serve.c src/rpc/dispatch.c src/rpc/receive.c
  src/rpc/call.c src/rpc/result.c src/rpc/future.c src/rpc/raw.c src/rpc/request.c
  src/stream/stream.c)
list(TRANSFORM DUET_CORE_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/../)
# The top level (duet.h): one static instance of the layers over the port's duet_port_default().
set(DUET_TOP_SOURCES ${CMAKE_CURRENT_LIST_DIR}/../src/duet.c)
