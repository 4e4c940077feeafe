# Embeds migrations/*.sql into the binary so a database is never opened with a schema
# the binary was not built for. The generated file defines driftd::store::k_migrations.
function(driftd_embed_migrations out_var)
  file(GLOB sql_files CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/migrations/*.sql")
  list(SORT sql_files)
  set(out "${CMAKE_BINARY_DIR}/generated/migrations_embedded.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DSQL_DIR=${CMAKE_SOURCE_DIR}/migrations
            -P "${CMAKE_SOURCE_DIR}/cmake/EmbedMigrations.cmake"
    DEPENDS ${sql_files} "${CMAKE_SOURCE_DIR}/cmake/EmbedMigrations.cmake"
    COMMENT "Embedding SQL migrations")
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
