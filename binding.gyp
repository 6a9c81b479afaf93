{
  "targets": [
    {
      "target_name": "pid1",
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "native/addon.cc",
            "native/binding.cc",
            "native/binding_util.cc",
            "native/reaper_binding.cc",
            "native/ownership.cc",
            "native/errname.cc",
            "native/subreaper.cc",
            "native/sigmask.cc",
            "native/signalfd.cc",
            "native/wait.cc",
            "native/pidfd.cc",
            "native/spawn.cc",
            "native/fdwatch.cc",
            "native/reaper.cc",
            "native/procstat.cc",
            "native/faultfwd.cc",
            "native/tty.cc",
            "native/cli_binding.cc"
          ],
          "dependencies": [
            "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
          ],
          "defines": ["NAPI_VERSION=8"],
          "cflags": ["-Wall", "-Wextra", "-fstack-protector-strong", "-fvisibility=hidden"],
          "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fstack-protector-strong", "-fvisibility=hidden"],
          "ldflags": ["-pthread"]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
