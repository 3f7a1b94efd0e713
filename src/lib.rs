//! The example application shared by the example servers: the contract's handlers and the
//! environment it reads beyond [`hookcore::Config`].
