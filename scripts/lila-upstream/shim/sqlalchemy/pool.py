StaticPool = object()
