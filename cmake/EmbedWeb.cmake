# Embeds the dashboard (web/*) into driftd_api: a generated source defines the table behind
# driftd::api::find_asset (include/driftd/api/static_assets.hpp). Included once from
# src/CMakeLists.txt after the module libraries exist. Adding or removing a file under web/
# re-runs the glob at build time (CONFIGURE_DEPENDS); editing one regenerates the source.
file(GLOB _driftd_web_files CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/web/*")
list(SORT _driftd_web_files)
set(_driftd_web_cpp "${CMAKE_BINARY_DIR}/generated/web_assets_embedded.cpp")
add_custom_command(
  OUTPUT "${_driftd_web_cpp}"
  COMMAND ${CMAKE_COMMAND} -DOUT=${_driftd_web_cpp} -DWEB_DIR=${CMAKE_SOURCE_DIR}/web
          -P "${CMAKE_SOURCE_DIR}/cmake/EmbedWebAssets.cmake"
  DEPENDS ${_driftd_web_files} "${CMAKE_SOURCE_DIR}/cmake/EmbedWebAssets.cmake"
  COMMENT "Embedding dashboard files from web/"
  VERBATIM)
get_target_property(_driftd_api_type driftd_api TYPE)
if(_driftd_api_type STREQUAL "INTERFACE_LIBRARY")
  message(FATAL_ERROR "driftd_api has no sources; the embedded dashboard needs a compiled library")
endif()
target_sources(driftd_api PRIVATE "${_driftd_web_cpp}")
